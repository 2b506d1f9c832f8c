"""Login protection: per-account lockout and a per-address growing delay, both audited.

- An account is locked for LOCKOUT_MINUTES after LOCKOUT_FAILURES failed logins within LOCKOUT_WINDOW_MINUTES
  (bureau admins can unlock it). The count resets on a successful login.
- An address is never locked (a township office shares one): after ADDRESS_FAILURES failures from it within the
  window, each further attempt must wait 2^(n − ADDRESS_FAILURES) seconds (at most 5 minutes) after the last one.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from . import audit
from .models import AuditEvent, User

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_MINUTES = 15
LOCKOUT_MINUTES = 30
ADDRESS_FAILURES = 20
MAX_ADDRESS_DELAY_SECONDS = 300


def locked_until(user: User):
    if user.locked_until and user.locked_until > timezone.now():
        return user.locked_until
    return None


def address_wait_seconds(ip: str | None) -> int:
    """Seconds this address must still wait before its next attempt (0: go ahead)."""
    if not ip:
        return 0
    since = timezone.now() - timedelta(minutes=LOCKOUT_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(action="login.failed", ip=ip, at__gte=since)
    count = failures.count()
    if count < ADDRESS_FAILURES:
        return 0
    last = failures.order_by("-at").values_list("at", flat=True).first()
    delay = min(2 ** (count - ADDRESS_FAILURES), MAX_ADDRESS_DELAY_SECONDS)
    remaining = (last + timedelta(seconds=delay) - timezone.now()).total_seconds()
    return max(0, int(remaining + 0.999))


def unlock(*, user: User, by, request=None) -> None:
    """Failures before the unlock no longer count towards the next lock."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_unlock_or_login=timezone.now())
    audit.record(action="account.unlock", user=by, request=request, obj=user, target=user.username)


@receiver(user_login_failed)
def _on_failure(sender, credentials, request=None, stage=None, **kwargs):
    """A wrong password, or (stage="totp") a wrong second-factor code: both count towards the lockout."""
    username = (credentials or {}).get("username", "")[:150]
    extra = {"stage": stage} if stage else {}
    audit.record(action="login.failed", request=request, result="failed", username=username, **extra)
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    now = timezone.now()
    window_start = now - timedelta(minutes=LOCKOUT_WINDOW_MINUTES)
    recent = AuditEvent.objects.filter(
        action="login.failed", username=username, at__gte=max(window_start, user.last_unlock_or_login or window_start)
    ).count()
    User.objects.filter(pk=user.pk).update(failed_logins=recent)
    if recent >= LOCKOUT_FAILURES and not locked_until(user):
        User.objects.filter(pk=user.pk).update(locked_until=now + timedelta(minutes=LOCKOUT_MINUTES))
        audit.record(action="account.locked", request=request, obj=user, result="locked", username=username)


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_unlock_or_login=now)
    audit.record(action="login", user=user, request=request, obj=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action="logout", user=user, request=request, obj=user)
