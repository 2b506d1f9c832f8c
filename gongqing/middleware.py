import json
import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import audit, passwords, totp
from .models import User


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a logged-in user must not be kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


# --- Identity (issue 8): forced password change, forced TOTP enrolment, forms posted after the session expired ---

FORM_STASH = "gq_form_stash"
FORM_STASH_MAX_BYTES = 64 * 1024
FORM_STASH_MAX_AGE_SECONDS = 2 * 60 * 60
# Never kept: passwords, one-time codes, secrets, tokens and the CSRF token.
NEVER_KEPT = re.compile(r"pass|pwd|secret|token|otp|csrf", re.IGNORECASE)


def _exempt(request) -> bool:
    """Paths a user who must change the password (or enrol a second factor) may still use."""
    path = request.path
    if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/healthz")):
        return True
    return path in {reverse("logout"), reverse("login"), reverse("keepalive")}


class IdentityMiddleware:
    """Sends a logged-in user who must change the password (first login, admin reset, older than
    PASSWORD_MAX_AGE_DAYS) to the change page for every page, and a user of a role in TOTP_REQUIRED_ROLES without a
    second factor to the enrolment page. API calls with a bearer token are not affected (DRF authenticates them after
    this middleware, which sees them as anonymous); an API call riding a forced user's session is refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _exempt(request):
            if passwords.must_change(user):
                target = "password_change"
                allowed = {reverse("password_change")}
            elif totp.required_for(user) and not user.has_totp:
                target = "totp"
                allowed = {reverse("totp"), reverse("password_change"), reverse("password_change_done")}
            else:
                target = None
            if target and request.path not in allowed:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("须先修改密码或启用二次验证。")}, status=403)
                return redirect(target)
        return self.get_response(request)


def _expired_session_user_id(request) -> str | None:
    """The user of the session this browser's cookie named, if it ended by expiry (not by logout: logout deletes it)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or "db" not in settings.SESSION_ENGINE:
        return None
    session = Session.objects.filter(session_key=key).first()
    if session is None:
        return None
    user_id = session.get_decoded().get(SESSION_KEY)
    return str(user_id) if user_id is not None else None


class ExpiredFormMiddleware:
    """Keeps a form posted after the session expired, and gives it back after the same user logs in again.

    A POST from an anonymous browser to a page that needs a login (a `roles_required` view), whose session cookie
    names a session that expired (not one ended by logging out), passes the CSRF check first (this runs after
    CsrfViewMiddleware). The posted fields, less passwords, codes, tokens and the CSRF token, capped at 64 KB, are kept
    server-side in the browser's new session (the cookie only holds the random session key), and the browser goes to
    the login page with `next`. Logging in keeps the session's data (Django cycles the key), so the next GET of the
    same page by the same user finds it on `request.restored_form`: templates/account/_session.html replays it into
    the page's form (static/js/session.js) with a fallback "恢复提交" form, and nothing is saved until the user submits.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        stash = request.session.get(FORM_STASH) if hasattr(request, "session") else None
        if stash and user is not None and user.is_authenticated:
            fresh = time.time() - stash.get("at", 0) < FORM_STASH_MAX_AGE_SECONDS
            if stash.get("user") != str(user.pk) or not fresh:
                del request.session[FORM_STASH]
            elif request.method == "GET" and request.path == stash.get("path"):
                request.restored_form = stash.get("data", {})
                del request.session[FORM_STASH]
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.user.is_authenticated:
            return None
        if not getattr(view_func, "allowed_roles", None):
            return None
        user_id = _expired_session_user_id(request)
        if user_id is None:
            return None
        data = {name: values for name, values in request.POST.lists() if not NEVER_KEPT.search(name)}
        stash = {"path": request.path, "user": user_id, "at": time.time(), "data": data}
        owner = User.objects.filter(pk=user_id).first()
        if len(json.dumps(stash, ensure_ascii=False).encode()) > FORM_STASH_MAX_BYTES:
            messages.error(request, _("登录已超时，提交的内容过多，未能暂存，请重新登录后再填写。"))
            audit.record(action="session.form_kept", user=owner, request=request, result="too_large", path=request.path)
            return redirect_to_login(request.get_full_path())
        request.session[FORM_STASH] = stash
        messages.warning(
            request,
            _(
                "登录已超时，刚才提交的内容尚未保存，已为您暂存。请重新登录，登录后将回到原页面并恢复所填内容，核对后再提交。"
            ),
        )
        if request.FILES:
            messages.warning(request, _("所选文件未能暂存，登录后请重新选择。"))
        audit.record(action="session.form_kept", user=owner, request=request, path=request.path, fields=len(data))
        return redirect_to_login(request.get_full_path())
