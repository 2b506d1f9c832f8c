"""Writes to user accounts: the admin's create and change (with the user's membership), enable/disable, password reset,
and a user's own password change. Each runs in one transaction with its audit row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import audit, memberships
from .models import User


def generate_password(user=None) -> str:
    """A random password meeting the rules; the user must change it at the next login (must_change_password)."""
    for _attempt in range(100):
        password = (
            get_random_string(4, "ABCDEFGHJKLMNPQRSTUVWXYZ")
            + get_random_string(4, "abcdefghijkmnpqrstuvwxyz")
            + get_random_string(4, "23456789")
            + "#"
        )
        try:
            validate_password(password, user)
        except ValidationError:  # a rare draw like "ABCD…2345" that the pattern rule refuses: draw again
            continue
        return password
    raise RuntimeError("no generated password passed the password validators")


@transaction.atomic
def user_save(
    *, user: User, old_role: str | None, units: Mapping[str, Any], fields: Sequence[str], request=None
) -> str | None:
    """Store an admin's create or change of `user` (its fields already set, not yet saved), keep the one membership
    its role calls for with the unit in `units` (gongqing.memberships), and audit it. A new user gets a generated
    password, returned to be shown once, and must change it at the first login."""
    created = user._state.adding
    password = None
    if created:
        password = generate_password(user)
        user.set_password(password)
        user.must_change_password = True
    user.save()
    memberships.scope_set(user=user, chosen=units)
    audit.record(
        action="user.create" if created else "user.change",
        request=request,
        obj=user,
        role=user.role,
        old_role=old_role,
        fields=list(fields),
    )
    return password


@transaction.atomic
def user_active_toggle(*, user: User, request=None) -> None:
    user.is_active = not user.is_active
    user.save(update_fields=["is_active"])
    audit.record(action="user.enable" if user.is_active else "user.disable", request=request, obj=user)


@transaction.atomic
def user_password_reset(*, user: User, request=None) -> str:
    """A new generated password, to be shown once; the user must change it at the next login."""
    password = generate_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record(action="user.reset_password", request=request, obj=user)
    return password


@transaction.atomic
def user_password_change(*, user: User, password: str, forced: str = "", request=None) -> None:
    """A user's own change (the form has checked the old password and the rules): the new password, the password's
    age restarted and a forced change cleared. `forced` says why the change was forced ("admin", "expired" or "")."""
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(action="password.change", request=request, obj=user, forced=forced)
