from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import login_guard
from .audit import client_ip
from .models import User


class GuardedAuthenticationForm(AuthenticationForm):
    """Refuses locked accounts and addresses that must wait, before any password is checked."""

    def clean(self):
        wait = login_guard.address_wait_seconds(client_ip(self.request))
        if wait:
            raise ValidationError(
                _("该网络地址登录失败次数过多，请 %(s)s 秒后再试。") % {"s": wait}, code="address_delay"
            )
        username = self.cleaned_data.get("username")
        user = User.objects.filter(username=username).first() if username else None
        until = user and login_guard.locked_until(user)
        if until:
            local = timezone.localtime(until)
            raise ValidationError(
                _("该账号因连续%(n)s次登录失败已被锁定，请于 %(t)s 后再试，或联系教体局管理员解锁。")
                % {"n": login_guard.LOCKOUT_FAILURES, "t": local.strftime("%H:%M")},
                code="locked",
            )
        return super().clean()
