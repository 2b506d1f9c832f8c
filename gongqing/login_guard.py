"""Login protection: a per-account lockout and a delay for addresses that spray many user names, both audited.

Every failed login is an audit row with the client's address (behind the trusted proxies, gongqing/clientaddr.py)
and the user name tried, so failures are counted per (address, user name):

- A user name is locked for LOCKOUT_MINUTES after LOCKOUT_FAILURES failures within LOCKOUT_WINDOW_MINUTES, from
  whatever addresses (bureau admins can unlock an account). The count restarts after a successful login or an unlock.
  A user name that names no account locks the same way, at the same failure, with the same message (its lock is the
  `account.locked` audit row), so the answers never tell which user names exist.
- An address is never locked and one person's typos never delay the others behind it (a township office shares one
  address): only when the failures from one address within the window span more than SPRAY_USER_NAMES different user
  names does every further attempt from it wait 2^(d − SPRAY_USER_NAMES − 1) seconds after its last failure (d: the
  number of user names), at most MAX_ADDRESS_DELAY_SECONDS. The moment an address starts waiting is audited.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from . import audit
from .clientaddr import client_address
from .models import AuditEvent, User

LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_MINUTES = 15
LOCKOUT_MINUTES = 30
SPRAY_USER_NAMES = 10
MAX_ADDRESS_DELAY_SECONDS = 300


def locked_until(user: User):
    if user.locked_until and user.locked_until > timezone.now():
        return user.locked_until
    return None


def _name_locked_until(username: str):
    """The lock of a user name without an account: its latest `account.locked` row, for LOCKOUT_MINUTES."""
    since = timezone.now() - timedelta(minutes=LOCKOUT_MINUTES)
    at = (
        AuditEvent.objects.filter(action="account.locked", username=username, at__gt=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return at + timedelta(minutes=LOCKOUT_MINUTES) if at else None


def username_locked_until(username: str):
    """When the lock of this user name ends (None: not locked), the same whether an account has the name or not.

    Both lookups run for every name, so the answer takes as long for a name without an account."""
    user = User.objects.filter(username=username).first()
    name_lock = _name_locked_until(username)
    return locked_until(user) if user is not None else name_lock


def _address_failures(ip: str, since):
    failures = AuditEvent.objects.filter(action="login.failed", ip=ip, at__gte=since)
    return failures, failures.values("username").distinct().count()


def address_wait_seconds(ip: str | None) -> int:
    """Seconds this address must still wait before its next attempt (0: go ahead)."""
    if not ip:
        return 0
    failures, names = _address_failures(ip, timezone.now() - timedelta(minutes=LOCKOUT_WINDOW_MINUTES))
    if names <= SPRAY_USER_NAMES:
        return 0
    last = failures.order_by("-at").values_list("at", flat=True).first()
    delay = min(2 ** (names - SPRAY_USER_NAMES - 1), MAX_ADDRESS_DELAY_SECONDS)
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
    now = timezone.now()
    window_start = now - timedelta(minutes=LOCKOUT_WINDOW_MINUTES)
    user = User.objects.filter(username=username).first()
    since = max(window_start, user.last_unlock_or_login or window_start) if user is not None else window_start
    recent = AuditEvent.objects.filter(action="login.failed", username=username, at__gte=since).count()
    if user is not None:
        User.objects.filter(pk=user.pk).update(failed_logins=recent)
    already = locked_until(user) if user is not None else _name_locked_until(username)
    if recent >= LOCKOUT_FAILURES and not already:
        if user is not None:
            User.objects.filter(pk=user.pk).update(locked_until=now + timedelta(minutes=LOCKOUT_MINUTES))
        audit.record(action="account.locked", request=request, obj=user, result="locked", username=username)
    _note_spraying(request, username, window_start)


def _note_spraying(request, username: str, since) -> None:
    """Audit the failure that makes an address spray more than SPRAY_USER_NAMES user names (once per episode)."""
    ip = client_address(request)
    if not ip:
        return
    failures, names = _address_failures(ip, since)
    if names == SPRAY_USER_NAMES + 1 and failures.filter(username=username).count() == 1:
        audit.record(action="login.address_delayed", request=request, result="delayed", user_names=names)


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_unlock_or_login=now)
    audit.record(action="login", user=user, request=request, obj=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action="logout", user=user, request=request, obj=user)
