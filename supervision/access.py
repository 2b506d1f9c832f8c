"""Who sees and changes what in supervision. Every page, API view, download, panel, selector and task goes through
here; it is the only module of supervision that reads a user's memberships.

- bureau staff manage everything; leadership reads everything; the API client (the municipal system) reads the whole
  county through the API;
- a department officer sees and updates only the measures and items their body leads or cooperates on;
- a township official acts for their township's body: its measures and items, and the items of its schools; they see
  the departments by name but no other township's body, nor what another township's body posted;
- auditors have no supervision pages (the auditor reads the audit log only).
Hidden objects answer 404, as for schools.
"""

from __future__ import annotations

from django.db.models import Q

from gongqing.models import User
from gongqing.refusals import OutOfScope, get_in_scope
from gongqing.roles import BUREAU, COUNTY_OVERSIGHT, OVERSEERS, PARTICIPANTS, Role
from schools.access import township_officials, user_township_id

from .models import (
    Body,
    BodyKind,
    BodyRole,
    EvidenceFile,
    Finding,
    Measure,
    ProgressUpdate,
    Project,
    RectificationItem,
)
from .plan import BUREAU_BODY


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def user_body(user) -> Body | None:
    """The body a user acts for: a department officer's body, a township official's township body, or for bureau
    staff the bureau's own body (市教体局)."""
    if not _active(user):
        return None
    cache = getattr(user, "_supervision_body", False)
    if cache is not False:
        return cache
    body = None
    if user.role == Role.DEPARTMENT_OFFICER:
        membership = getattr(user, "body_membership", None)
        body = membership.body if membership else None
    elif user.role == Role.TOWNSHIP_OFFICIAL:
        township_id = user_township_id(user)
        body = Body.objects.filter(township_id=township_id).first() if township_id else None
    elif user.role in BUREAU:
        body = Body.objects.filter(code=BUREAU_BODY).first()
    user._supervision_body = body
    return body


def sees_everything(user) -> bool:
    """The overseers (bureau, leadership): every record, every body by name, the reviews' findings."""
    return _active(user) and user.role in OVERSEERS


def reads_supervision(user) -> bool:
    """Whether supervision's pages and panels are for this user at all (each record then scoped below)."""
    return _active(user) and user.role in PARTICIPANTS


def _county_wide(user) -> bool:
    return _active(user) and user.role in COUNTY_OVERSIGHT


def _hides_other_townships(user) -> bool:
    return getattr(user, "role", None) == Role.TOWNSHIP_OFFICIAL


def items_for(user):
    if _county_wide(user):
        return RectificationItem.objects.all()
    if not reads_supervision(user):
        return RectificationItem.objects.none()
    if user.role == Role.TOWNSHIP_OFFICIAL:
        # The official's body is their township's (one a township: `Body.township` is one-to-one), matched by the
        # township in the same query instead of read first.
        township_id = user_township_id(user)
        scope = (
            Q(assignments__body__township_id=township_id) | Q(school__township_id=township_id)
            if township_id
            else Q(pk__in=[])
        )
    else:
        body = user_body(user)
        scope = Q(assignments__body=body) if body else Q(pk__in=[])
    return RectificationItem.objects.filter(pk__in=RectificationItem.objects.filter(scope).values("pk"))


def measures_for(user):
    if _county_wide(user):
        return Measure.objects.all()
    if not reads_supervision(user):
        return Measure.objects.none()
    body = user_body(user)
    if body is None:
        return Measure.objects.none()
    scope = Q(assignments__body=body)
    if user.role == Role.TOWNSHIP_OFFICIAL:
        scope |= Q(assignments__body__kind=BodyKind.SCHOOLS)  # the schools act through their township's officials
    return Measure.objects.filter(pk__in=Measure.objects.filter(scope).values("pk"))


def projects_for(user):
    """Projects of the items a user sees, and for township officials also their schools' projects."""
    if _county_wide(user):
        return Project.objects.all()
    if not reads_supervision(user):
        return Project.objects.none()
    scope = Q(items__in=items_for(user))
    if user.role == Role.TOWNSHIP_OFFICIAL:
        scope |= Q(school__township_id=user_township_id(user))
    return Project.objects.filter(pk__in=Project.objects.filter(scope).values("pk"))


def bodies_for(user):
    """Every body, except that a township official sees no other township's body."""
    if _county_wide(user):
        return Body.objects.all()
    if not reads_supervision(user):
        return Body.objects.none()
    if not _hides_other_townships(user):
        return Body.objects.all()
    own = user_body(user)
    return Body.objects.filter(~Q(kind=BodyKind.TOWNSHIP) | Q(pk=own.pk if own else None))


def body_visible(user, body: Body) -> bool:
    """`bodies_for` for a body already loaded (an assignment's, a timeline row's): no query."""
    if not _hides_other_townships(user):
        return True
    own = user_body(user)
    return body.kind != BodyKind.TOWNSHIP or (own is not None and body.pk == own.pk)


def ledger_bodies_for(user):
    """The bodies whose work a user may list in the ledger: every body for the overseers, else their own."""
    if sees_everything(user):
        return Body.objects.all()
    return Body.objects.filter(pk=getattr(user_body(user), "pk", None))


def opens_ledger_of(user, body: Body) -> bool:
    """Whether a timeline cell of `body` links to the ledger filtered by that body (`ledger_bodies_for`, no query)."""
    if sees_everything(user):
        return True
    own = user_body(user)
    return own is not None and body.pk == own.pk


def updates_for(user, *, on=None):
    """Progress updates a user sees: those on the items and measures they see (or on `on`, one item or measure the
    user has opened through `item_for_user` / `measure_for_user`); a township official none posted by another
    township's body (a township measure is led by all six townships at once)."""
    if on is not None:
        qs = on.updates.all()
    else:
        qs = ProgressUpdate.objects.filter(Q(item__in=items_for(user)) | Q(measure__in=measures_for(user)))
    if not _hides_other_townships(user):
        return qs
    own = user_body(user)
    return qs.filter(Q(body__isnull=True) | ~Q(body__kind=BodyKind.TOWNSHIP) | Q(body=own))


def findings_for(user):
    """The external reviews' findings: the overseers' reading only."""
    if sees_everything(user):
        return Finding.objects.all()
    return Finding.objects.none()


def acting_body(user, obj) -> Body | None:
    """The body a user's progress update on `obj` is posted for: their body when it is assigned to `obj`, else the
    bureau's body for bureau staff, else none."""
    body = user_body(user)
    if body is not None and any(a.body_id == body.pk for a in obj.assignments.all()):
        return body
    return body if user.role in BUREAU else None


def body_users(bodies: list[Body]) -> dict[int, list[User]]:
    """The people acting for each body: its officers, a township's officials, the bureau for 市教体局."""
    out: dict[int, list[User]] = {b.pk: [] for b in bodies}
    active = User.objects.filter(is_active=True)
    for user in active.filter(body_membership__body__in=bodies).select_related("body_membership"):
        out[user.body_membership.body_id].append(user)
    township_body = {b.township_id: b.pk for b in bodies if b.township_id}
    for official in township_officials(list(township_body)):
        out[township_body[user_township_id(official)]].append(official)
    bureau = [b.pk for b in bodies if b.code == BUREAU_BODY]
    if bureau:
        out[bureau[0]].extend(bureau_users())
    return out


def bureau_users():
    """The bureau's active people (the leadership group's office for escalated notices)."""
    return User.objects.filter(is_active=True, role__in=BUREAU)


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
    return _active(user) and user.role in BUREAU
