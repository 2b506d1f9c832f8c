"""Who sees and changes what in supervision. Every page, download, panel and task goes through here.

- bureau staff manage everything; leadership reads everything;
- a department officer sees and updates only the measures and items their body leads or cooperates on;
- a township official acts for their township's body: its measures and items, and the items of its schools;
- auditors and API clients have no supervision pages (the auditor reads the audit log only).
Hidden objects answer 404, as for schools.
"""

from __future__ import annotations

from django.db.models import Q

from gongqing.refusals import OutOfScope, get_in_scope
from gongqing.roles import Role

from .models import Body, BodyKind, BodyRole, EvidenceFile, Measure, Project, RectificationItem
from .plan import BUREAU_BODY

READERS = (
    Role.BUREAU_ADMIN,
    Role.BUREAU_STAFF,
    Role.LEADERSHIP,
    Role.DEPARTMENT_OFFICER,
    Role.TOWNSHIP_OFFICIAL,
)
COUNTY_WIDE = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.LEADERSHIP)
BUREAU = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)
LEADERS = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.LEADERSHIP)


def user_body(user) -> Body | None:
    """The body a user acts for: a department officer's body, a township official's township body, or for bureau
    staff the bureau's own body (市教体局)."""
    if not user.is_authenticated or not user.is_active:
        return None
    cache = getattr(user, "_supervision_body", False)
    if cache is not False:
        return cache
    body = None
    if user.role == Role.DEPARTMENT_OFFICER:
        membership = getattr(user, "body_membership", None)
        body = membership.body if membership else None
    elif user.role == Role.TOWNSHIP_OFFICIAL:
        membership = getattr(user, "township_membership", None)
        body = Body.objects.filter(township_id=membership.township_id).first() if membership else None
    elif user.role in BUREAU:
        body = Body.objects.filter(code=BUREAU_BODY).first()
    user._supervision_body = body
    return body


def _township_id(user) -> int | None:
    membership = getattr(user, "township_membership", None)
    return membership.township_id if membership else None


def sees_everything(user) -> bool:
    return user.is_authenticated and user.is_active and user.role in COUNTY_WIDE


def items_for(user):
    if not user.is_authenticated or not user.is_active or user.role not in READERS:
        return RectificationItem.objects.none()
    if user.role in COUNTY_WIDE:
        return RectificationItem.objects.all()
    body = user_body(user)
    scope = Q(assignments__body=body) if body else Q(pk__in=[])
    if user.role == Role.TOWNSHIP_OFFICIAL:
        scope |= Q(school__township_id=_township_id(user))
    return RectificationItem.objects.filter(pk__in=RectificationItem.objects.filter(scope).values("pk"))


def measures_for(user):
    if not user.is_authenticated or not user.is_active or user.role not in READERS:
        return Measure.objects.none()
    if user.role in COUNTY_WIDE:
        return Measure.objects.all()
    body = user_body(user)
    if body is None:
        return Measure.objects.none()
    scope = Q(assignments__body=body)
    if user.role == Role.TOWNSHIP_OFFICIAL:
        scope |= Q(assignments__body__kind=BodyKind.SCHOOLS)  # the schools act through their township's officials
    return Measure.objects.filter(pk__in=Measure.objects.filter(scope).values("pk"))


def projects_for(user):
    """Projects of the items a user sees, and for township officials also their schools' projects."""
    if not user.is_authenticated or not user.is_active or user.role not in READERS:
        return Project.objects.none()
    if user.role in COUNTY_WIDE:
        return Project.objects.all()
    scope = Q(items__in=items_for(user))
    if user.role == Role.TOWNSHIP_OFFICIAL:
        scope |= Q(school__township_id=_township_id(user))
    return Project.objects.filter(pk__in=Project.objects.filter(scope).values("pk"))


def _get(queryset, pk):
    """404 when hidden or missing; OutOfScope (recorded as a refusal) when it exists outside the user's scope."""
    return get_in_scope(queryset, pk)


def item_for_user(*, user, pk) -> RectificationItem:
    return _get(items_for(user).select_related("school", "school__township", "stage", "stage__cycle"), pk)


def measure_for_user(*, user, pk) -> Measure:
    return _get(measures_for(user).select_related("stage", "stage__cycle", "cycle"), pk)


def evidence_for_user(*, user, pk) -> EvidenceFile:
    """An evidence file, if the user may see the measure or item it backs."""
    evidence = _get(EvidenceFile.objects.select_related("update"), pk)
    update = evidence.update
    try:
        if update.item_id is not None:
            item_for_user(user=user, pk=update.item_id)
        else:
            measure_for_user(user=user, pk=update.measure_id)
    except OutOfScope:
        raise OutOfScope(EvidenceFile, evidence.pk) from None
    return evidence


def _roles_of(user, obj) -> set[str]:
    body = user_body(user)
    if body is None:
        return set()
    schools = user.role == Role.TOWNSHIP_OFFICIAL
    return {
        a.role for a in obj.assignments.all() if a.body_id == body.pk or (schools and a.body.kind == BodyKind.SCHOOLS)
    }


def is_read_only(obj) -> bool:
    stage = obj.stage
    return stage is not None and stage.cycle.read_only


def can_post_update(user, obj) -> bool:
    """The bureau, and the lead and cooperating bodies, on an item or measure not yet accepted."""
    if is_read_only(obj) or obj.work_status == "accepted" or getattr(obj, "state", "open") == "closed":
        return False
    return user.role in BUREAU or bool(_roles_of(user, obj))


def can_mark_done(user, obj) -> bool:
    """Only the lead body marks work done."""
    if is_read_only(obj) or obj.work_status not in ("not_started", "in_progress", "sent_back"):
        return False
    if getattr(obj, "state", "open") == "closed":
        return False
    return BodyRole.LEAD in _roles_of(user, obj)


def can_review(user, obj) -> bool:
    return user.role in BUREAU and obj.work_status == "awaiting_acceptance" and not is_read_only(obj)


def can_manage(user) -> bool:
    return user.is_authenticated and user.role in BUREAU
