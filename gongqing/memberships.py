"""Whom a scoped user acts for: the kinds of membership the apps register.

A township official's township and a department officer's body are membership rows in the app that owns townships
(schools) and bodies (supervision), never fields of the user, and the shared core imports neither app. Each app
registers the kind it owns in its `AppConfig.ready()`; the user administration (`gongqing.views.users`) builds its
form fields, the list's scope column and the save from the registered kinds, in INSTALLED_APPS order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MembershipKind:
    field: str  # the membership's foreign key to the unit; also the name of the user form's field
    role: str  # the role whose scope this is
    model: Any  # the membership model: a one-to-one `user` and the `field` foreign key
    label: str  # the form field's label
    required: str  # the form's error when `role` is chosen without a unit
    units: Callable[[], Any]  # the units offered in the form (a queryset)

    @property
    def accessor(self) -> str:
        """The user's attribute that holds the membership (the one-to-one's related name)."""
        return self.model._meta.get_field("user").remote_field.get_accessor_name()


KINDS: list[MembershipKind] = []


def register(kind: MembershipKind) -> None:
    if all(k.field != kind.field for k in KINDS):
        KINDS.append(kind)


def related_paths() -> list[str]:
    """`select_related` paths that read each user's memberships and units with the users (no query per user)."""
    return [f"{k.accessor}__{k.field}" for k in KINDS]


def _membership(user, kind: MembershipKind):
    return getattr(user, kind.accessor, None)  # the missing one-to-one raises an AttributeError subclass


def unit_id(user, kind: MembershipKind) -> int | None:
    membership = _membership(user, kind)
    return getattr(membership, f"{kind.field}_id") if membership is not None else None


def scope(user):
    """The unit the user acts for (a township, a body), or None."""
    for kind in KINDS:
        membership = _membership(user, kind)
        if membership is not None:
            return getattr(membership, kind.field)
    return None


def scope_set(*, user, chosen: Mapping[str, Any]) -> None:
    """Keep the membership the user's role calls for, with the unit `chosen[kind.field]`; delete every other one.
    Runs in the caller's transaction (the user's save and its audit row)."""
    for kind in KINDS:
        rows = kind.model.objects.filter(user=user)
        unit = chosen.get(kind.field)
        if user.role == kind.role and unit:
            rows.exclude(**{kind.field: unit}).delete()
            kind.model.objects.update_or_create(user=user, defaults={kind.field: unit})
        else:
            rows.delete()
