from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import login_guard
from .clientaddr import client_address


def locked_message(until) -> str:
    local = timezone.localtime(until)
    return _("该账号因连续%(n)s次登录失败已被锁定，请于 %(t)s 后再试，或联系教体局管理员解锁。") % {
        "n": login_guard.LOCKOUT_FAILURES,
        "t": local.strftime("%H:%M"),
    }


def address_wait_message(wait: int) -> str:
    return _("该网络地址登录失败次数过多，请 %(s)s 秒后再试。") % {"s": wait}


class GuardedAuthenticationForm(AuthenticationForm):
    """Refuses locked user names (with an account or without: the same answer) and addresses that must wait, before
    any password is checked."""

    def clean(self):
        wait = login_guard.address_wait_seconds(client_address(self.request))
        if wait:
            raise ValidationError(address_wait_message(wait), code="address_delay")
        username = self.cleaned_data.get("username")
        until = username and login_guard.username_locked_until(username)
        if until:
            raise ValidationError(locked_message(until), code="locked")
        return super().clean()


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("动态验证码"),
        max_length=10,
        help_text=gettext_lazy("验证器（如微信小程序“腾讯身份验证器”、Google Authenticator）上显示的6位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("动态验证码须为6位数字。"), code="totp_format")
        return code


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's change form (old password, the validators of AUTH_PASSWORD_VALIDATORS) that also refuses reuse."""

    def clean(self):
        data = super().clean()
        new = data.get("new_password2")
        if new and not self.has_error("new_password2") and self.user.check_password(new):
            self.add_error("new_password2", ValidationError(_("新密码不能与原密码相同。"), code="password_reused"))
        return data
