"""Writes of supervision: the ledger sync after a recompute, progress and evidence, the work workflow, cycles,
routing, projects and findings, the daily overdue notices. Each state change is audited; items keep a history."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import audit
from gongqing.audit_changes import dict_changes
from gongqing.evidence import stored_name
from gongqing.models import Notice, User
from gongqing.roles import Role
from indicators.labels import RESOURCE_LABELS, SECTION_LABELS, UNIT_LABELS
from indicators.models import EvaluationState, SchoolResult, SectionCV
from schools.models import School, TownshipMembership

from . import access, rules, selectors
from . import targets as plan_targets
from .models import (
    Body,
    BodyRole,
    Cycle,
    EvidenceFile,
    ItemBody,
    ItemKind,
    ItemState,
    Measure,
    MeasureBody,
    NoticeKind,
    OverdueNoticeLog,
    ProgressUpdate,
    RectificationItem,
    RoutingRule,
    Stage,
    WorkStatus,
)
from .plan import DEFAULT_ROUTE, MEASURES, PUBLISHED_STAGES, TOWNSHIP, TOWNSHIPS

ESCALATE_AFTER_DAYS = 30


# --- Cycles and the plan ------------------------------------------------------------------------------------------


@transaction.atomic  # the cycle and its stages, or nothing
def cycle_create(*, name: str, stages: list[rules.StageDates], read_only: bool = False, note: str = "") -> Cycle:
    names = {n: title for n, title, _s, _e in PUBLISHED_STAGES}
    cycle = Cycle.objects.create(name=name, read_only=read_only, note=note)
    Stage.objects.bulk_create(
        [Stage(cycle=cycle, number=s.number, name=names[s.number], starts=s.starts, ends=s.ends) for s in stages]
    )
    return cycle


def cycle_add(
    *, name: str, stages: list[rules.StageDates], note: str = "", seed_measures: bool = True, by, request=None
) -> Cycle:
    """The bureau opens a new cycle (e.g. a re-evaluation): its five dated stages and, unless told otherwise, the
    plan's measures due at the end of their stages. It becomes current only when the bureau says so."""
    with transaction.atomic():
        cycle = cycle_create(name=name, stages=stages, note=note)
        measures = measures_seed(cycle=cycle) if seed_measures else 0
        audit.record(action="supervision.cycle_create", user=by, request=request, obj=cycle, measures=measures)
    return cycle


def published_stage_dates() -> list[rules.StageDates]:
    return [rules.StageDates(n, starts, ends) for n, _name, starts, ends in PUBLISHED_STAGES]


def cycle_set_current(*, cycle: Cycle, by=None, request=None) -> None:
    with transaction.atomic():
        Cycle.objects.filter(is_current=True).exclude(pk=cycle.pk).update(is_current=False)
        Cycle.objects.filter(pk=cycle.pk).update(is_current=True)
        if by is not None:
            audit.record(action="supervision.cycle_current", user=by, request=request, obj=cycle)


def _body_codes(codes, townships: list[Body]) -> list[Body]:
    by_code = {b.code: b for b in Body.objects.filter(code__in=[c for c in codes if not c.startswith("@")])}
    out: list[Body] = []
    for code in codes:
        out.extend(townships if code == TOWNSHIPS else [by_code[code]] if code in by_code else [])
    return out


@transaction.atomic  # every measure with its bodies, or nothing
def measures_seed(*, cycle: Cycle) -> int:
    """Create the plan's measures in a cycle, each in its stage and due at the stage's end. Existing refs are kept."""
    stages = {s.number: s for s in cycle.stages.all()}
    townships = list(Body.objects.filter(kind="township").order_by("order"))
    created = 0
    for ref, title, stage_number, leads, cooperating in MEASURES:
        stage = stages.get(stage_number)
        measure, was_created = Measure.objects.get_or_create(
            cycle=cycle, ref=ref, defaults={"title": title, "stage": stage, "due_date": stage.ends if stage else None}
        )
        if not was_created:
            continue
        created += 1
        lead_bodies = _body_codes(leads, townships)
        lead_ids = {b.pk for b in lead_bodies}
        rows = [MeasureBody(measure=measure, body=b, role=BodyRole.LEAD) for b in lead_bodies]
        rows += [
            MeasureBody(measure=measure, body=b, role=BodyRole.COOPERATING)
            for b in _body_codes(cooperating, townships)
            if b.pk not in lead_ids
        ]
        MeasureBody.objects.bulk_create(rows, ignore_conflicts=True)
    return created


def measure_save(
    *,
    cycle: Cycle,
    ref: str,
    title: str,
    leads,
    cooperating,
    stage: Stage | None,
    due_date: datetime.date | None,
    by,
    measure: Measure | None = None,
    request=None,
) -> Measure:
    """Create or edit a measure of a cycle that is not archived: wording, stage, due date (the stage's end when left
    empty) and its bodies, which are replaced as a whole. One transaction, one audit row."""
    if cycle.read_only:
        raise rules.WorkflowError(_("该周期已归档，只读。"))
    with transaction.atomic():
        old = (
            {
                "ref": measure.ref,
                "title": measure.title,
                "stage": measure.stage_id,
                "due_date": str(measure.due_date or ""),
                "bodies": sorted(f"{a.role}:{a.body_id}" for a in measure.assignments.all()),
            }
            if measure
            else None
        )
        measure = measure or Measure(cycle=cycle)
        measure.ref, measure.title, measure.stage = ref, title, stage
        measure.due_date = due_date or (stage.ends if stage else None)
        measure._history_user = by
        measure.save()
        lead_ids = {b.pk for b in leads}
        MeasureBody.objects.filter(measure=measure).delete()
        MeasureBody.objects.bulk_create(
            [MeasureBody(measure=measure, body=b, role=BodyRole.LEAD) for b in leads]
            + [
                MeasureBody(measure=measure, body=b, role=BodyRole.COOPERATING)
                for b in cooperating
                if b.pk not in lead_ids
            ]
        )
        new = {
            "ref": measure.ref,
            "title": measure.title,
            "stage": measure.stage_id,
            "due_date": str(measure.due_date or ""),
            "bodies": sorted(f"{a.role}:{a.body_id}" for a in measure.assignments.all()),
        }
        audit.record(
            action="supervision.measure_save",
            user=by,
            request=request,
            obj=measure,
            old=old,
            new=new,
            changes=dict_changes(_readable(old or {}), _readable(new)),
        )
    return measure


def _readable(state: dict) -> dict:
    """A measure's or item's recorded state with the stage and bodies by name, for the audit row's `changes`."""
    out = dict(state)
    if out.get("stage"):
        out["stage"] = str(Stage.objects.filter(pk=out["stage"]).first() or out["stage"])
    if "bodies" in out:
        names = dict(Body.objects.values_list("pk", "name"))
        roles = dict(BodyRole.choices)
        out["bodies"] = [
            f"{roles.get(role, role)}：{names.get(int(body), body)}"
            for role, _sep, body in (b.partition(":") for b in out["bodies"])
        ]
    return out


def routing_save(*, code: str, bodies: list[str], by, request=None) -> RoutingRule:
    with transaction.atomic():
        rule, _created = RoutingRule.objects.get_or_create(code=code)
        old = list(rule.bodies)
        rule.bodies = bodies
        rule._history_user = by
        rule.save()
        audit.record(action="supervision.routing_save", user=by, request=request, obj=rule, old=old, new=bodies)
    return rule


# --- The ledger sync ----------------------------------------------------------------------------------------------


class Routing:
    """Routing rules resolved to bodies, with the township of a school looked up once per sync."""

    def __init__(self):
        self.rules = dict(RoutingRule.objects.values_list("code", "bodies"))
        self.bodies = {b.code: b for b in Body.objects.all()}
        self.township_bodies = {b.township_id: b for b in self.bodies.values() if b.township_id}

    def bodies_for(self, code: str, *, township_id: int | None) -> list[tuple[Body, str]]:
        out: list[tuple[Body, str]] = []
        for code_ in self.rules.get(code) or DEFAULT_ROUTE:
            if code_ == TOWNSHIPS:
                found = sorted((b for b in self.township_bodies.values()), key=lambda b: (b.order, b.code))
            else:
                found = [self.township_bodies.get(township_id) if code_ == TOWNSHIP else self.bodies.get(code_)]
            for body in found:
                if body is not None and all(b.pk != body.pk for b, _r in out):
                    out.append((body, BodyRole.LEAD if not out else BodyRole.COOPERATING))
        return out


def _default_schedule(on: datetime.date) -> tuple[Stage | None, datetime.date | None]:
    """New and reopened items go into the current cycle's current stage, due at its end."""
    cycle = selectors.current_cycle()
    if cycle is None:
        return None, None
    view = selectors.cycle_view(cycle, on=on)
    stage = view.current or (view.stages[0] if view.not_started and view.stages else None)
    return stage, (stage.ends if stage else None)


def _observations(round_) -> dict[str, dict]:
    """What the round says of every ledger key that fails, and of every key that exists: key → indicator facts."""
    state = EvaluationState.objects.get(round=round_)
    gaps: dict[tuple, dict[tuple, Decimal]] = {}
    for g in state.result.get("gaps", []):
        # School-level items (G3, G5...) are stored without a section; their gaps may name one.
        section = g["section"] if g["code"].startswith("R") else ""
        by_resource = gaps.setdefault((g["school"], section, g["code"]), {})
        key = (g["resource"], g["unit"])
        by_resource[key] = by_resource.get(key, Decimal(0)) + Decimal(str(g["quantity"]))
    names = _indicator_names(round_)
    out: dict[str, dict] = {}
    rows = SchoolResult.objects.filter(round=round_).values_list(
        "school_id",
        "school__code",
        "school__name",
        "school__township_id",
        "section",
        "code",
        "status",
        "value",
        "threshold",
        "gap",
        "detail",
    )
    failing_codes = set()
    for (
        school_id,
        school_code,
        school_name,
        township_id,
        section,
        code,
        status,
        value,
        threshold,
        gap,
        detail,
    ) in rows.iterator(chunk_size=5000):
        if status in ("not_met", "within_tolerance"):
            failing_codes.add(code)
            resource_gaps = gaps.get((school_code, section, code), {})
            target = "；".join(
                rules.gap_text(
                    resource=resource, quantity=quantity, unit=unit, labels=RESOURCE_LABELS, units=UNIT_LABELS
                )
                for (resource, unit), quantity in resource_gaps.items()
            ) or _("达到指标要求")
        else:
            target = None
        label = SECTION_LABELS.get(section, section)
        where = f"{school_name}（{label}）" if label else school_name
        out[f"school:{school_id}:{section}:{code}"] = {
            "kind": ItemKind.SCHOOL,
            "school_id": school_id,
            "township_id": township_id,
            "section": section,
            "code": code,
            "status": rules.indicator_status(status),
            "value": value,
            "threshold": threshold,
            "gap": gap,
            "unit": (detail or {}).get("unit", ""),
            "target": target,
            "title": f"{where} {code} {names.get(code, '')}".strip(),
        }
    for section, code, cv, limit, met in SectionCV.objects.filter(round=round_).values_list(
        "section", "code", "cv", "limit", "met"
    ):
        status = rules.PASSING if met else rules.FAILING if met is False else rules.NO_DATA
        out[f"cv:{section}:{code}"] = {
            "kind": ItemKind.CV,
            "school_id": None,
            "township_id": None,
            "section": section,
            "code": code,
            "status": status,
            "value": cv,
            "threshold": limit,
            "gap": None,
            "unit": "",
            "target": rules.cv_target(cv, limit) if status == rules.FAILING else None,
            "title": _("%(section)s %(code)s %(name)s 校际差异系数")
            % {"section": SECTION_LABELS.get(section, section), "code": code, "name": names.get(code, "")},
        }
    for code, item in state.result.get("items", {}).items():
        if code in failing_codes or (item.get("schools") and not item.get("parts")):
            continue
        status = {"not_met": rules.FAILING, "met": rules.PASSING}.get(item.get("status"), rules.NO_DATA)
        out[f"county:{code}"] = {
            "kind": ItemKind.COUNTY,
            "school_id": None,
            "township_id": None,
            "section": "",
            "code": code,
            "status": status,
            "value": None,
            "threshold": None,
            "gap": None,
            "unit": "",
            "target": _("达到指标要求") if status == rules.FAILING else None,
            "title": _("县级 %(code)s %(name)s") % {"code": code, "name": names.get(code, "")},
        }
    out.update(plan_targets.observations(round_))
    return out


def _indicator_names(round_) -> dict[str, str]:
    from indicators.services import indicator_names

    return indicator_names(school_year=round_.school_year)


def _assign(item: RectificationItem, routing: Routing, facts: dict) -> None:
    township_id = facts["township_id"] if facts["kind"] == ItemKind.SCHOOL else None
    rows = [
        ItemBody(item=item, body=body, role=role)
        for body, role in routing.bodies_for(facts["code"], township_id=township_id)
    ]
    ItemBody.objects.bulk_create(rows, ignore_conflicts=True)


SYNCED_FIELDS = ("indicator_status", "within_tolerance", "value", "threshold", "gap", "unit", "source_round")


@transaction.atomic
def ledger_sync(*, on: datetime.date | None = None) -> dict[str, int]:
    """Bring the ledger in line with the source round's stored results. Idempotent: a second run writes nothing.

    One item per key, never a new one each year: failing keys without an item open one; an existing item takes the
    round's status (and target, while failing), closes, waits for data or reopens by `rules`.
    """
    round_ = selectors.source_round()
    counts = {"opened": 0, "reopened": 0, "closed": 0, "updated": 0}
    if round_ is None:
        return counts
    on = on or selectors.today()
    observed = _observations(round_)
    failing = {k: f for k, f in observed.items() if f["status"] in (rules.FAILING, rules.WITHIN_TOLERANCE)}
    existing = {i.key: i for i in RectificationItem.objects.exclude(kind=ItemKind.MANUAL).select_for_update()}
    routing = Routing()
    now = timezone.now()
    schedule = None
    for key, facts in failing.items():
        if key in existing:
            continue
        schedule = schedule or _default_schedule(on)
        state, _reason = rules.derive_state(indicator=facts["status"], work=WorkStatus.NOT_STARTED)
        item = RectificationItem.objects.create(
            key=key,
            kind=facts["kind"],
            school_id=facts["school_id"],
            section=facts["section"],
            code=facts["code"],
            title=facts["title"][:200],
            target=(facts["target"] or "")[:300],
            state=state,
            indicator_status=facts["status"],
            within_tolerance=facts["status"] == rules.WITHIN_TOLERANCE,
            value=facts["value"],
            threshold=facts["threshold"],
            gap=facts["gap"],
            unit=facts["unit"],
            source_round=round_,
            synced_at=now,
            stage=schedule[0],
            due_date=schedule[1],
        )
        _assign(item, routing, facts)
        counts["opened"] += 1
    for key, item in existing.items():
        facts = observed.get(key)
        status = facts["status"] if facts else rules.NO_DATA
        changed: set[str] = set()
        values = {"indicator_status": status}
        if facts:
            values |= {
                "value": facts["value"],
                "threshold": facts["threshold"],
                "gap": facts["gap"] if status != rules.PASSING else None,
                "unit": facts["unit"],
                "source_round": round_,
            }
        if status in (rules.FAILING, rules.WITHIN_TOLERANCE):
            values["within_tolerance"] = status == rules.WITHIN_TOLERANCE
            values["target"] = (facts["target"] or item.target)[:300]
        if rules.should_reopen(state=item.state, indicator=status):
            schedule = schedule or _default_schedule(on)
            values |= {
                "work_status": WorkStatus.NOT_STARTED,
                "percent": 0,
                "done_at": None,
                "accepted_at": None,
                "review_comment": "",
                "reopened": item.reopened + 1,
                "stage": schedule[0],
                "due_date": schedule[1],
            }
            counts["reopened"] += 1
        for name, value in values.items():
            current = getattr(item, name)
            if current != value:
                setattr(item, name, value)
                changed.add(name)
        state, reason = rules.derive_state(indicator=item.indicator_status, work=item.work_status)
        if (state, reason) != (item.state, item.closed_reason):
            counts["closed"] += state == ItemState.CLOSED
            item.state, item.closed_reason = state, reason
            changed |= {"state", "closed_reason"}
        if changed:
            item.synced_at = now
            item._change_reason = "ledger sync"
            item.save(update_fields=sorted(changed | {"synced_at"}))
            counts["updated"] += 1
    return counts


# --- Progress and the workflow ------------------------------------------------------------------------------------


def _is_item(obj) -> bool:
    return isinstance(obj, RectificationItem)


def _acting_body(user, obj) -> Body | None:
    body = access.user_body(user)
    if body is not None and any(a.body_id == body.pk for a in obj.assignments.all()):
        return body
    return body if user.role in access.BUREAU else None


def _save_work(obj, fields: set[str], *, by) -> None:
    if _is_item(obj):
        state, reason = rules.derive_state(
            indicator=obj.indicator_status, work=obj.work_status, manual=obj.kind == ItemKind.MANUAL
        )
        if (state, reason) != (obj.state, obj.closed_reason):
            obj.state, obj.closed_reason = state, reason
            fields |= {"state", "closed_reason"}
    obj._history_user = by
    obj.save(update_fields=sorted(fields))


def progress_post(*, obj, by, text: str, percent: int, files=(), request=None) -> ProgressUpdate:
    """Post an update on a measure or an item; `files` are (upload, CheckedUpload) pairs already through
    gongqing.evidence.check_evidence. Starts the work if it had not started."""
    if not access.can_post_update(by, obj):
        raise rules.WorkflowError(_("您不能报送该事项的进展。"))
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            item=obj if _is_item(obj) else None,
            measure=None if _is_item(obj) else obj,
            body=_acting_body(by, obj),
            author=by,
            text=text,
            percent=percent,
        )
        for upload, checked in files:
            evidence = EvidenceFile(
                update=update, name=checked.name[:200], content_type=checked.content_type, size=checked.size
            )
            upload.seek(0)
            evidence.file.save(stored_name(checked), upload, save=False)
            evidence.save()
            audit.record(
                action="supervision.evidence_upload", user=by, request=request, obj=evidence, size=checked.size
            )
        obj.work_status = rules.after_update(obj.work_status)
        obj.percent = percent
        _save_work(obj, {"work_status", "percent"}, by=by)
        audit.record(action="supervision.progress", user=by, request=request, obj=obj, percent=percent)
    return update


def work_done(*, obj, by, request=None) -> None:
    if not access.can_mark_done(by, obj):
        raise rules.WorkflowError(_("只有牵头单位可以报完成。"))
    with transaction.atomic():
        obj.work_status = rules.after_done(obj.work_status)
        obj.done_at = timezone.now()
        obj.percent = 100
        _save_work(obj, {"work_status", "done_at", "percent"}, by=by)
        audit.record(action="supervision.done", user=by, request=request, obj=obj)


def work_review(*, obj, by, accept: bool, comment: str = "", request=None) -> None:
    if not access.can_review(by, obj):
        raise rules.WorkflowError(_("只有教体局可以验收待验收的事项。"))
    if not accept and not comment.strip():
        raise rules.WorkflowError(_("退回时请填写意见。"))
    with transaction.atomic():
        obj.work_status = rules.after_review(obj.work_status, accept=accept)
        obj.review_comment = comment
        fields = {"work_status", "review_comment"}
        if accept:
            obj.accepted_at = timezone.now()
            fields.add("accepted_at")
        _save_work(obj, fields, by=by)
        audit.record(
            action="supervision.accept" if accept else "supervision.send_back",
            user=by,
            request=request,
            obj=obj,
            comment=comment,
        )


def item_create(
    *, title: str, target: str, school: School | None, lead: Body, cooperating, stage, due_date, by, request=None
) -> RectificationItem:
    """An item added by hand (e.g. from a review finding); it closes when its work is accepted."""
    with transaction.atomic():
        item = RectificationItem(
            key=f"manual:{uuid.uuid4().hex}",
            kind=ItemKind.MANUAL,
            school=school,
            title=title,
            target=target,
            stage=stage,
            due_date=due_date,
            created_by=by,
        )
        item._history_user = by
        item.save()
        ItemBody.objects.create(item=item, body=lead, role=BodyRole.LEAD)
        ItemBody.objects.bulk_create(
            [ItemBody(item=item, body=b, role=BodyRole.COOPERATING) for b in cooperating if b.pk != lead.pk]
        )
        audit.record(action="supervision.item_create", user=by, request=request, obj=item)
    return item


def item_schedule(*, item: RectificationItem, stage, due_date, target: str, by, request=None) -> None:
    with transaction.atomic():
        old = {"stage": item.stage_id, "due_date": str(item.due_date or ""), "target": item.target}
        item.stage, item.due_date, item.target = stage, due_date, target
        item._history_user = by
        item.save(update_fields=["stage", "due_date", "target"])
        new = {"stage": item.stage_id, "due_date": str(item.due_date or ""), "target": item.target}
        audit.record(
            action="supervision.item_schedule",
            user=by,
            request=request,
            obj=item,
            old=old,
            new=new,
            changes=dict_changes(_readable(old), _readable(new)),
        )


# --- Overdue notices ----------------------------------------------------------------------------------------------


def body_users(bodies: list[Body]) -> dict[int, list[User]]:
    """The people acting for each body: its officers, a township's officials, the bureau for 市教体局."""
    out: dict[int, list[User]] = {b.pk: [] for b in bodies}
    active = User.objects.filter(is_active=True)
    for user in active.filter(body_membership__body__in=bodies).select_related("body_membership"):
        out[user.body_membership.body_id].append(user)
    township_body = {b.township_id: b.pk for b in bodies if b.township_id}
    for m in TownshipMembership.objects.filter(
        township_id__in=township_body, user__is_active=True, user__role=Role.TOWNSHIP_OFFICIAL
    ).select_related("user"):
        out[township_body[m.township_id]].append(m.user)
    bureau = [b.pk for b in bodies if b.code == access.BUREAU_BODY]
    if bureau:
        out[bureau[0]].extend(active.filter(role__in=access.BUREAU))
    return out


def overdue_notices_send(*, on: datetime.date | None = None) -> dict[str, int]:
    """Notify the lead body's people once when an item misses its due date, and the leadership group's office (the
    bureau) once when it is more than 30 days overdue. A log row per (item, kind, due date) claims each notice, so
    running the job twice, or twice at once, sends nothing more."""
    on = on or selectors.today()
    finished = selectors.finished_cycle_ids(on=on)
    items = list(
        RectificationItem.objects.filter(selectors.overdue_q(on=on, finished=finished))
        .select_related("school")
        .prefetch_related(selectors.ASSIGNMENTS)
    )
    leads = {a.body_id: a.body for i in items for a in i.assignments.all() if a.role == BodyRole.LEAD}
    people = body_users(list(leads.values()))
    office = list(User.objects.filter(is_active=True, role__in=access.BUREAU))
    counts = {"overdue": 0, "escalated": 0, "notices": 0}
    for item in items:
        owners = {u.pk: u for a in item.assignments.all() if a.role == BodyRole.LEAD for u in people[a.body_id]}
        days = (on - item.due_date).days
        text = _("整改任务已逾期%(days)s天：%(title)s（时限 %(due)s）") % {
            "days": days,
            "title": item.title,
            "due": item.due_date.isoformat(),
        }
        counts["notices"] += _notify_once(item, NoticeKind.OVERDUE, on, list(owners.values()), text)
        counts["overdue"] += 1
        if days > ESCALATE_AFTER_DAYS:
            text = _("【领导小组办公室】整改任务逾期超过30天：%(title)s（已逾期%(days)s天）") % {
                "title": item.title,
                "days": days,
            }
            counts["notices"] += _notify_once(item, NoticeKind.ESCALATED, on, office, text)
            counts["escalated"] += 1
    return counts


def _notify_once(item, kind: str, on: datetime.date, users: list[User], text: str) -> int:
    from django.urls import reverse

    try:
        with transaction.atomic():
            OverdueNoticeLog.objects.create(item=item, kind=kind, due_date=item.due_date, sent_on=on)
            link = reverse("supervision:item", kwargs={"pk": item.pk})
            Notice.objects.bulk_create([Notice(user=u, text=text[:500], link=link) for u in users])
    except IntegrityError:
        return 0
    return len(users)
