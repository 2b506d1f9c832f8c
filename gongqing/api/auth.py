"""Bearer tokens: made here, stored as SHA-256 only, checked on every request; browser users keep their session."""

from __future__ import annotations

import hashlib
import secrets
import string
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from gongqing import audit
from gongqing.compiled import Compiled
from gongqing.models import ApiToken, User

ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 40  # 40 characters of 62: about 238 bits
PREFIX_LENGTH = 8
DEFAULT_DAYS = 365
LAST_USED_EVERY = timedelta(minutes=1)  # at most one write per token and minute for `last_used_at`


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def token_create(*, user, name: str, scopes, days: int | None = DEFAULT_DAYS, by=None, request=None):
    """A new token for `user`. Returns (token row, the secret): the secret is never stored and cannot be shown again."""
    wanted = sorted(set(scopes) or {"read"})
    unknown = set(wanted) - set(ApiToken.SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    if days is None or days < 1:
        raise ValueError("a token needs an expiry of at least one day")
    with transaction.atomic():
        while True:
            raw = _new_secret()
            if not ApiToken.objects.filter(prefix=raw[:PREFIX_LENGTH]).exists():
                break
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:PREFIX_LENGTH],
            key_hash=hash_token(raw),
            scopes=" ".join(wanted),
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record(
            action="api_token.create",
            user=by,
            request=request,
            obj=token,
            token=token.prefix,
            owner=user.username,
            scopes=wanted,
            days=days,
        )
    return token, raw


def token_revoke(*, token: ApiToken, by=None, request=None) -> bool:
    """Revoke a token; False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(action="api_token.revoke", user=by, request=request, obj=token, token=token.prefix)
    return True


_TOKEN_FIELDS = [f.attname for f in ApiToken._meta.concrete_fields]
_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_token_row = Compiled(
    lambda key_hash: (
        ApiToken.objects.filter(key_hash=key_hash)
        .order_by("pk")
        .values_list(*_TOKEN_FIELDS, *(f"user__{name}" for name in _USER_FIELDS))[:1]
    )
)


def token_by_hash(key_hash: str) -> ApiToken | None:
    """The token of that hash with its user (as `select_related("user")` gives them), read fresh on every call: a
    revoked or expired token, or a deactivated user, is refused at the next request. The query is compiled once per
    process (gongqing.compiled)."""
    rows = _token_row.rows(key_hash)
    if not rows:
        return None
    row = rows[0]
    token = ApiToken.from_db("default", _TOKEN_FIELDS, row[: len(_TOKEN_FIELDS)])
    token.user = User.from_db("default", _USER_FIELDS, row[len(_TOKEN_FIELDS) :])
    return token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. Missing header: not this scheme. Unknown, expired or revoked: 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误，应为“Bearer 令牌”。"), code="invalid_token")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。"), code="invalid_token") from None
        token = token_by_hash(hash_token(raw))
        now = timezone.now()
        problem = None
        if token is None:
            problem = ("invalid_token", _("令牌无效。"))
        elif token.revoked_at is not None:
            problem = ("token_revoked", _("令牌已被吊销。"))
        elif token.expires_at <= now:
            problem = ("token_expired", _("令牌已过期。"))
        elif not token.user.is_active:
            problem = ("user_inactive", _("令牌所属账号已停用。"))
        if problem:
            request._request.audit_recorded = True  # ApiViewSet's per-call audit row would repeat this one
            audit.record(
                action="api.auth_failed",
                user=token.user if token else None,
                request=request._request,  # the DRF request would re-run authentication for `.user`
                result="refused",
                reason=problem[0],
                token=token.prefix if token else raw[:PREFIX_LENGTH],
            )
            raise exceptions.AuthenticationFailed(problem[1], code=problem[0])
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


def token_of(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def has_scope(request, scope: str) -> bool:
    """Session users act with their role only; a token also needs the scope."""
    token = token_of(request)
    return token is None or scope in token.scope_set


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "gongqing.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A token from the bureau (docs/api.md)."}
