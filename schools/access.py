"""Who sees and changes which school and return. Every page, export, report and API view goes through here."""

from __future__ import annotations

from django.db.models import Q

from gongqing.models import User
from gongqing.refusals import OutOfScope, get_in_scope
from gongqing.roles import Role

from .annotations.models import ReturnAttachment
from .models import ReturnStatus, School, SchoolReturn, Township


def user_township_id(user) -> int | None:
    if user.role != Role.TOWNSHIP_OFFICIAL:
        return None
    membership = getattr(user, "township_membership", None)
    return membership.township_id if membership else None


def township_officials(townships):
    """The active officials who enter the data of `townships` (a township or its id, or several), each with its
    `township_membership` read (`user_township_id` costs no query): the people a reminder or a return's notice goes
    to, and the township bodies' people of supervision's notices."""
    if isinstance(townships, Township | int):
        townships = [townships]
    return User.objects.filter(
        is_active=True, role=Role.TOWNSHIP_OFFICIAL, township_membership__township__in=townships
    ).select_related("township_membership")


def _in_scope(user, manager, township_field: str):
    """The whole county's rows for county readers, their township's for officials, else none."""
    if user.reads_whole_county:
        return manager.all()
    if user.role == Role.TOWNSHIP_OFFICIAL:
        return manager.filter(**{township_field: user_township_id(user)})
    return manager.none()


def townships_for(user):
    return _in_scope(user, Township.objects, "pk")


COUNTY, NO_SCHOOLS = ("county",), ("none",)


def school_scope(user) -> tuple:
    """All that `schools_for(user)` depends on, as a hashable value: COUNTY for county readers, ("township", id) for
    a township official, NO_SCHOOLS for anyone else (inactive, anonymous, or a role that reads no school). Users with
    the same scope see the same schools; indicators.access keys its compiled SQL by it."""
    if not user.is_authenticated or not user.is_active:
        return NO_SCHOOLS
    if user.reads_whole_county:
        return COUNTY
    if user.role == Role.TOWNSHIP_OFFICIAL:
        return ("township", user_township_id(user))
    return NO_SCHOOLS


def schools_in(scope: tuple):
    """The schools of a `school_scope`."""
    if scope == COUNTY:
        return School.objects.all()
    if scope[0] == "township":
        return School.objects.filter(township_id=scope[1])
    return School.objects.none()


def schools_for(user):
    """The schools a user may see: the whole county for county readers, their township for officials, else none."""
    return schools_in(school_scope(user))


def returns_for(user):
    return SchoolReturn.objects.filter(school__in=schools_for(user))


def can_enter_data(user, school: School) -> bool:
    """Bureau staff for any school; a township official for their own township's schools."""
    if user.is_bureau:
        return True
    return user.role == Role.TOWNSHIP_OFFICIAL and school.township_id == user_township_id(user)


def can_edit_return(user, school_return: SchoolReturn) -> bool:
    return school_return.is_editable and school_return.round.is_open and can_enter_data(user, school_return.school)


def can_review_return(user, school_return: SchoolReturn) -> bool:
    return user.is_bureau and school_return.status == ReturnStatus.SUBMITTED


def can_reopen_return(user, school_return: SchoolReturn) -> bool:
    return user.is_bureau and school_return.status == ReturnStatus.APPROVED


def school_for_user(*, user, pk, write: bool = False) -> School:
    """The school, or 404 when the user may not see it; PermissionDenied-free: hiding existence is the point. An
    existing school outside the user's scope is an OutOfScope 404, recorded as a refusal (gongqing.refusals)."""
    school = get_in_scope(schools_for(user).select_related("township", "parent"), pk)
    if write and not can_enter_data(user, school):
        raise OutOfScope(School, school.pk)
    return school


def school_and_teaching_points(*, user, pk) -> tuple[School, list[School]]:
    """`school_for_user(user=user, pk=pk)` and the school's teaching points (`school.teaching_points.all()`, in their
    order), read together: one query for the school page."""
    try:
        rows = list(
            School.objects.select_related("township", "parent").filter(
                Q(pk__in=schools_for(user).filter(pk=pk).values("pk")) | Q(parent_id=pk)
            )
        )
    except (ValueError, TypeError):
        rows = []
    school = next((s for s in rows if s.pk == pk), None)
    if school is None:
        school = school_for_user(user=user, pk=pk)  # not in scope (or not at all): refused as everywhere else
    return school, [s for s in rows if s.parent_id == school.pk and s.pk != school.pk]


def return_for_user(*, user, pk) -> SchoolReturn:
    return get_in_scope(
        returns_for(user).select_related("school", "school__township", "round", "round__school_year"), pk
    )


def attachment_for_user(*, user, pk):
    """A file attached to a return the user may see (its township's officials, the bureau), else 404."""
    return get_in_scope(ReturnAttachment.objects.filter(school_return__in=returns_for(user)), pk)
