"""Who builds and downloads an evidence binder (档案).

The county's binder holds county documents (stage reports, the plan, the assessment, the county entries' evidence):
the bureau and the leadership group build and download it, as they read those pages. A township official builds and
downloads their own township's binder only: their schools' files, none of another township's, no county document.
Everybody else has no binder pages (403); a binder outside a user's scope is a 404.
"""

from __future__ import annotations

from gongqing.refusals import get_in_scope
from gongqing.roles import OVERSEERS
from schools.access import user_township_id

from .models import Binder


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def reads_county(user) -> bool:
    return _active(user) and user.role in OVERSEERS


def township_scope(user) -> int | None:
    """The township whose binder the user builds: their own for an official, None (the county) for an overseer."""
    if not _active(user) or reads_county(user):
        return None
    return user_township_id(user)


def can_build(user) -> bool:
    return reads_county(user) or township_scope(user) is not None


def binders_for(user):
    """Every binder for an overseer; an official's township's binders; none for anybody else."""
    if reads_county(user):
        return Binder.objects.all()
    township_id = township_scope(user)
    if township_id is None:
        return Binder.objects.none()
    return Binder.objects.filter(township_id=township_id)


def binder_for_user(*, user, pk: int) -> Binder:
    return get_in_scope(binders_for(user).select_related("cycle", "round", "township"), pk)
