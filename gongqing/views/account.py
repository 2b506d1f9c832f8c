"""The account pages of issue 8: two-step login (password, then the TOTP code), the password change that clears a
forced change, the TOTP enrolment, and the keepalive that the idle warning calls."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from gongqing import audit, login_guard, passwords, totp, users
from gongqing.clientaddr import client_address
from gongqing.decorators import roles_required
from gongqing.forms import (
    GuardedAuthenticationForm,
    PortalPasswordChangeForm,
    TotpCodeForm,
    address_wait_message,
    locked_message,
)
from gongqing.models import User
from gongqing.roles import EVERYONE, MACHINES

PENDING = "gq_totp_pending"
PENDING_SECONDS = 5 * 60
ENROL_SECRET = "gq_totp_enrol"


class PortalLoginView(auth_views.LoginView):
    """Step 1 the password (GuardedAuthenticationForm: lockout, address delay); for a user with a second factor,
    step 2 the 6-digit code on the same URL. Between the steps the browser's session holds only the user's id and
    the time (5 minutes); a wrong code counts as a failed login towards the account lockout."""

    form_class = GuardedAuthenticationForm

    def _pending_user(self):
        pending = self.request.session.get(PENDING)
        if not pending:
            return None
        user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
        if user is None or not user.has_totp or time.time() - pending.get("at", 0) > PENDING_SECONDS:
            del self.request.session[PENDING]
            return None
        return user

    def _restart(self):
        self.request.session.pop(PENDING, None)
        query = {"next": self.get_redirect_url()} if self.get_redirect_url() else {}
        return HttpResponseRedirect(reverse("login") + ("?" + urlencode(query) if query else ""))

    def _render_code_step(self, user, form):
        return TemplateResponse(
            self.request,
            "registration/login_totp.html",
            {"form": form, "next": self.get_redirect_url(), "pending_user": user},
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("restart"):
            request.session.pop(PENDING, None)
        user = self._pending_user()
        if user is not None:
            return self._render_code_step(user, TotpCodeForm())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") != "totp":
            request.session.pop(PENDING, None)
            return super().post(request, *args, **kwargs)
        user = self._pending_user()
        if user is None:
            messages.error(request, _("验证已超时，请重新输入用户名和密码。"))
            return self._restart()
        wait = login_guard.address_wait_seconds(client_address(request))
        if wait:
            form = TotpCodeForm(request.POST)
            form.add_error(None, address_wait_message(wait))
            return self._render_code_step(user, form)
        until = login_guard.locked_until(user)
        if until:
            messages.error(request, locked_message(until))
            return self._restart()
        form = TotpCodeForm(request.POST)
        if form.is_valid() and totp.verify_user_code(user, form.cleaned_data["code"]):
            backend = request.session[PENDING].get("backend")
            del request.session[PENDING]
            auth_login(request, user, backend=backend)
            return HttpResponseRedirect(self.get_success_url())
        user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request, stage="totp")
        user.refresh_from_db()
        until = login_guard.locked_until(user)
        if until:
            messages.error(request, locked_message(until))
            return self._restart()
        if not form.has_error("code"):
            form.add_error("code", _("动态验证码不正确或已使用过，请输入验证器上当前显示的6位数字。"))
        return self._render_code_step(user, form)

    def form_valid(self, form):
        user = form.get_user()
        if user.has_totp:
            self.request.session[PENDING] = {"user": user.pk, "at": time.time(), "backend": user.backend}
            audit.record(action="login.password_ok", user=user, request=self.request, obj=user, next_step="totp")
            return self._render_code_step(user, TotpCodeForm())
        return super().form_valid(form)


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """The change form; a successful change clears a forced change and restarts the password's age."""

    form_class = PortalPasswordChangeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.must_change_password:
            context["forced_reason"] = _("您的密码由管理员设置或重置，请先修改密码后再使用平台。")
        elif passwords.password_expired(user):
            context["forced_reason"] = _("您的密码已使用超过%(d)s天，请修改密码后再使用平台。") % {
                "d": passwords.max_age().days
            }
        return context

    def form_valid(self, form):
        user = self.request.user
        forced = "admin" if user.must_change_password else ("expired" if passwords.password_expired(user) else "")
        users.user_password_change(
            user=user, password=form.cleaned_data["new_password1"], forced=forced, request=self.request
        )
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())


password_change = roles_required(EVERYONE)(PortalPasswordChangeView.as_view())
password_change_done = roles_required(EVERYONE)(auth_views.PasswordChangeDoneView.as_view())


@never_cache
@roles_required(EVERYONE)
def keepalive(request):
    """Touches the session (SESSION_SAVE_EVERY_REQUEST renews its 30-minute idle limit); the idle warning calls it."""
    request.session.modified = True
    return JsonResponse({"ok": True, "idle_seconds": request.session.get_expiry_age()})


@sensitive_post_parameters("code")
@never_cache
@roles_required(EVERYONE)
def totp_manage(request):
    """Enrol (QR code and manual key, confirmed by a first code) or, when enrolled and not required, disable."""
    user = request.user
    required = totp.required_for(user)
    if user.has_totp:
        request.session.pop(ENROL_SECRET, None)
        form = TotpCodeForm(request.POST or None)
        if request.method == "POST":
            if required:
                messages.error(request, _("您的角色须使用二次验证，不能停用。"))
                return redirect("totp")
            if form.is_valid() and totp.verify_user_code(user, form.cleaned_data["code"]):
                totp.totp_remove(user=user, by=user, request=request)
                messages.success(request, _("已停用二次验证。"))
                return redirect("totp")
            audit.record(action="totp.disable", request=request, obj=user, result="failed")
            if not form.has_error("code"):
                form.add_error("code", _("动态验证码不正确或已使用过。"))
        return render(request, "account/totp.html", {"form": form, "enabled": True, "required": required})

    stored = request.session.get(ENROL_SECRET)
    secret = totp.decrypt(stored) if stored else totp.new_secret()
    if not stored:
        request.session[ENROL_SECRET] = totp.encrypt(secret)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.totp_enrol(user=user, secret=secret, code=form.cleaned_data["code"], request=request):
            del request.session[ENROL_SECRET]
            messages.success(request, _("已启用二次验证。今后登录时，输入密码后还需输入验证器上的6位数字。"))
            return redirect("home" if user.role not in MACHINES else "totp")
        form.add_error("code", _("动态验证码不正确，请确认手机时间准确后输入当前显示的6位数字。"))
    context = {
        "form": form,
        "enabled": False,
        "required": required,
        "qr": totp.qr_svg_data_uri(totp.provisioning_uri(secret, user)),
        "manual_key": totp.grouped(secret),
    }
    return render(request, "account/totp.html", context)
