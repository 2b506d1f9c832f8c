"""The optional TOTP second factor (RFC 6238, 6 digits, 30 s steps), through pyotp.

pyotp is chosen over django-otp: one small pure-Python module that computes and checks codes, where django-otp brings
its own device models, admin and login forms that would duplicate the portal's User fields, lockout and audit.

The secret is stored encrypted with Fernet from the well-kept `cryptography` package (no home-made cipher), keyed from
TOTP_ENCRYPTION_KEY or SECRET_KEY; it is shown only on the enrolment page, before the first code is confirmed, and
never again.
A code is accepted once (the last used time step is kept) and one step either side of now (clock drift ±30 s).
"""

from __future__ import annotations

import base64
import hmac
import io
import logging
from hashlib import sha256

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import User

logger = logging.getLogger(__name__)
ISSUER = "共青城市义务教育督导平台"
VALID_WINDOW = 1
_VERSION = "f1"


def _fernet() -> Fernet:
    """Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`) keyed from TOTP_ENCRYPTION_KEY or SECRET_KEY."""
    root = getattr(settings, "TOTP_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    key = hmac.new(root.encode(), b"gongqing.totp.fernet", sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret: str) -> str:
    return f"{_VERSION}${_fernet().encrypt(secret.encode()).decode()}"


def decrypt(token: str) -> str:
    version, _, payload = token.partition("$")
    if version != _VERSION:
        raise ImproperlyConfigured("unknown TOTP secret format")
    try:
        return _fernet().decrypt(payload.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "TOTP secret is damaged or does not match the key (SECRET_KEY or TOTP_ENCRYPTION_KEY changed?)"
        ) from exc


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The key as typed by hand: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (img-src allows data:, so no inline markup or script is needed)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def matching_step(secret: str, code: str, after_step: int | None = None) -> int | None:
    """The time step the code belongs to (now ± VALID_WINDOW), or None; steps up to after_step are spent."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    current = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_user_code(user: User, code: str) -> bool:
    """Checks a login code against the user's factor and spends its time step (no replay)."""
    if not user.has_totp:
        return False
    try:
        secret = decrypt(user.totp_secret)
    except ImproperlyConfigured:
        # The key changed or the row was altered: no code can match; an admin resets the factor.
        logger.error("TOTP secret of user %s cannot be decrypted", user.pk)
        return False
    step = matching_step(secret, code, after_step=user.totp_last_step)
    if step is None:
        return False
    # Spend the step atomically: of two requests with one code, only one moves the step forward.
    updated = User.objects.filter(pk=user.pk, totp_last_step=user.totp_last_step).update(totp_last_step=step)
    user.totp_last_step = step
    return updated == 1


def required_for(user) -> bool:
    return user.role in set(getattr(settings, "TOTP_REQUIRED_ROLES", ()))


@transaction.atomic
def totp_enrol(*, user: User, secret: str, code: str, request=None) -> bool:
    """Enables the factor if the code matches the secret shown on the enrolment page."""
    step = matching_step(secret, code)
    if step is None:
        audit.record(action="totp.enrol", user=user, request=request, obj=user, result="failed")
        return False
    user.totp_secret = encrypt(secret)
    user.totp_enabled_at = timezone.now()
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    audit.record(action="totp.enrol", user=user, request=request, obj=user)
    return True


@transaction.atomic
def totp_remove(*, user: User, by: User, request=None, action: str = "totp.disable") -> None:
    """Removes the factor: by the user (a current code checked by the caller) or by an admin's reset (recovery)."""
    user.totp_secret = ""
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    audit.record(action=action, user=by, request=request, obj=user, target=user.username)
