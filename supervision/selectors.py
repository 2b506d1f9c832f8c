"""Reads of supervision: the current cycle and stage, the ledger with its filters, the stage timeline, the one-school
plan and the annual assessment. Query counts do not grow with the number of schools or items."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from indicators.models import EvaluationState
from schools.models import CollectionRound

from . import access, rules
from .models import (
    Body,
    BodyRole,
    Cycle,
    ItemBody,
    ItemState,
    Measure,
    MeasureBody,
    RectificationItem,
    Stage,
    WorkStatus,
)


def today() -> datetime.date:
    return timezone.localdate()


# --- Cycles -------------------------------------------------------------------------------------------------------


@dataclass
class CycleView:
    cycle: Cycle
    stages: list[Stage]
    current: Stage | None
    finished: bool
    not_started: bool

    @property
    def status_label(self) -> str:
        from django.utils.translation import gettext as _

        if self.finished:
            return _("已完成")
        if self.not_started:
            return _("未开始")
        return _("进行中")


def _stage_dates(stages) -> list[rules.StageDates]:
    return [rules.StageDates(s.number, s.starts, s.ends) for s in stages]


def cycle_view(cycle: Cycle, *, on: datetime.date | None = None) -> CycleView:
    on = on or today()
    stages = list(cycle.stages.all())
    dates = _stage_dates(stages)
    number = rules.current_stage(dates, on)
    finished = cycle.read_only or rules.is_finished(dates, on)
    current = next((s for s in stages if s.number == number), None) if not finished else None
    not_started = bool(stages) and number is None and not finished
    return CycleView(cycle, stages, current, finished, not_started)


def current_cycle() -> Cycle | None:
    return Cycle.objects.filter(is_current=True).prefetch_related("stages").first()


def cycles() -> list[CycleView]:
    on = today()
    return [cycle_view(c, on=on) for c in Cycle.objects.prefetch_related("stages")]


def finished_cycle_ids(*, on: datetime.date | None = None) -> set[int]:
    """The finished cycles decided in Python (`cycle_view`); queries use `finished_cycles`, tested to agree."""
    on = on or today()
    return {c.pk for c in Cycle.objects.prefetch_related("stages") if cycle_view(c, on=on).finished}


def finished_cycles(*, on: datetime.date | None = None):
    """`finished_cycle_ids` as a subquery (the cycles' pks), for a query that needs them and nothing else: read-only,
    or with stages of which the last ended before `on` (`rules.is_finished`)."""
    on = on or today()
    last_end = Stage.objects.filter(cycle=OuterRef("pk")).order_by("-ends").values("ends")[:1]
    return (
        Cycle.objects.order_by()
        .annotate(last_end=Subquery(last_end))
        .filter(Q(read_only=True) | Q(last_end__lt=on))
        .values("pk")
    )


def overdue_q(*, on: datetime.date, finished) -> Q:
    """Open, work not accepted, past due, in no finished cycle (items without a stage count as in a running one)."""
    return (
        Q(due_date__lt=on, state=ItemState.OPEN)
        & ~Q(work_status=WorkStatus.ACCEPTED)
        & ~Q(stage__cycle_id__in=finished)
    )


def measure_overdue_q(*, on: datetime.date, finished) -> Q:
    return Q(due_date__lt=on) & ~Q(work_status=WorkStatus.ACCEPTED) & ~Q(stage__cycle_id__in=finished)


# --- The ledger ---------------------------------------------------------------------------------------------------

ASSIGNMENTS = Prefetch("assignments", queryset=ItemBody.objects.select_related("body"))
MEASURE_ASSIGNMENTS = Prefetch("assignments", queryset=MeasureBody.objects.select_related("body"))


def with_overdue(queryset, *, on: datetime.date | None = None):
    on = on or today()
    finished = finished_cycles(on=on)
    overdue = queryset.model.objects.filter(pk=OuterRef("pk")).filter(
        overdue_q(on=on, finished=finished)
        if queryset.model is RectificationItem
        else measure_overdue_q(on=on, finished=finished)
    )
    return queryset.annotate(is_overdue=Exists(overdue))


def ledger(
    *,
    user,
    body: Body | None = None,
    state: str = "",
    work_status: str = "",
    stage: Stage | None = None,
    overdue: bool = False,
    school=None,
    kind: str = "",
    township=None,
):
    given = {
        "school__township": township,
        "assignments__body": body,
        "state": state,
        "work_status": work_status,
        "stage": stage,
        "school": school,
        "kind": kind,
    }
    qs = access.items_for(user).filter(**{name: value for name, value in given.items() if value not in (None, "")})
    on = today()
    if overdue:
        qs = qs.filter(overdue_q(on=on, finished=finished_cycles(on=on)))
    return with_overdue(
        qs.select_related("school", "school__township", "stage", "stage__cycle", "source_round").prefetch_related(
            ASSIGNMENTS
        ),
        on=on,
    ).order_by("state", "due_date", "pk")


def measures(*, user, cycle: Cycle | None = None):
    qs = access.measures_for(user)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return with_overdue(
        qs.select_related("stage", "stage__cycle", "cycle").prefetch_related(MEASURE_ASSIGNMENTS)
    ).order_by("cycle", "ref")


def visible_assignments(user, assignments) -> list:
    """A township official sees the other bodies of a measure but not the other townships by name."""
    return [a for a in assignments if access.body_visible(user, a.body)]


def updates_of(obj, *, user):
    return access.updates_for(user, on=obj).select_related("body", "author").prefetch_related("files")


# --- History ------------------------------------------------------------------------------------------------------

# Fields whose change the history table spells out (work status, ledger state, indicator status and percent have
# their own columns).
HISTORY_FIELDS = ("stage", "due_date", "target", "review_comment", "assignment_note")


@dataclass
class HistoryRow:
    record: object
    changes: list[str]


def history_rows(obj, *, limit: int = 50) -> list[HistoryRow]:
    """The object's history, newest first, each row with what changed in the fields above ("完成时限：— → 2027-03-01"),
    so that two rows with the same statuses do not look identical. Two queries."""
    from django.utils.translation import gettext as _

    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    stage_ids = {getattr(r, "stage_id", None) for r in records} - {None}
    stages = {s.pk: str(s) for s in Stage.objects.filter(pk__in=stage_ids)} if stage_ids else {}
    labels = {name: obj._meta.get_field(name).verbose_name for name in HISTORY_FIELDS if _has_field(obj, name)}

    def shown(name, record) -> str:
        value = getattr(record, f"{name}_id" if name == "stage" else name, None)
        if value in (None, ""):
            return "—"
        if name == "stage":
            return stages.get(value, "—")
        return value.isoformat() if isinstance(value, datetime.date) else str(value)

    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changes = []
        if older is not None:
            for name, label in labels.items():
                before, after = shown(name, older), shown(name, newer)
                if before != after:
                    changes.append(_("%(field)s：%(old)s → %(new)s") % {"field": label, "old": before, "new": after})
        rows.append(HistoryRow(newer, changes))
    return rows[:limit]


def _has_field(obj, name: str) -> bool:
    try:
        obj._meta.get_field(name)
    except FieldDoesNotExist:  # measures have no target
        return False
    return True


# --- The source of the ledger -------------------------------------------------------------------------------------


def source_round() -> CollectionRound | None:
    """The round the ledger follows: of the latest school year that has stored results, its latest round (official
    or interim) with results — an interim round's approved corrections count as soon as they are recomputed."""
    state = (
        EvaluationState.objects.filter(computed_version__gt=0)
        .select_related("round", "round__school_year")
        .order_by("-round__school_year__year", "-round__as_of", "-round__pk")
        .defer("summary", "result")  # some 16 MB of JSON at 10,000 schools, decoded for nothing
        .first()
    )
    return state.round if state else None


# --- The stage timeline -------------------------------------------------------------------------------------------


@dataclass
class Cell:
    stage_id: int | None = None
    measures: int = 0
    items: int = 0
    open: int = 0
    overdue: int = 0
    accepted: int = 0


@dataclass
class TimelineRow:
    body: Body
    cells: list[Cell] = field(default_factory=list)


def timeline(*, user, view: CycleView) -> list[TimelineRow]:
    """Each lead body's measures and items by stage of the cycle, in a fixed number of queries."""
    on = today()
    index = {s.pk: i for i, s in enumerate(view.stages)}
    rows: dict[int, TimelineRow] = {}
    bodies = {b.pk: b for b in Body.objects.all()}

    def cell(body_id, stage_id) -> Cell:
        row = rows.setdefault(body_id, TimelineRow(bodies[body_id], [Cell(stage_id=s.pk) for s in view.stages]))
        return row.cells[index[stage_id]]

    item_rows = ItemBody.objects.filter(
        role=BodyRole.LEAD, item__in=access.items_for(user), item__stage__in=view.stages
    ).values_list("body_id", "item__stage_id", "item__state", "item__work_status", "item__due_date")
    for body_id, stage_id, state, work, due in item_rows:
        c = cell(body_id, stage_id)
        c.items += 1
        c.open += state == ItemState.OPEN
        c.accepted += work == WorkStatus.ACCEPTED
        c.overdue += rules.is_overdue(due_date=due, state=state, work=work, today=on, finished=view.finished)
    measure_rows = MeasureBody.objects.filter(
        role=BodyRole.LEAD, measure__in=access.measures_for(user), measure__stage__in=view.stages
    ).values_list("body_id", "measure__stage_id", "measure__work_status", "measure__due_date")
    for body_id, stage_id, work, due in measure_rows:
        c = cell(body_id, stage_id)
        c.measures += 1
        c.accepted += work == WorkStatus.ACCEPTED
        c.overdue += rules.is_overdue(due_date=due, state="open", work=work, today=on, finished=view.finished)
    shown = [r for r in rows.values() if access.body_visible(user, r.body)]
    return sorted(shown, key=lambda r: (r.body.kind, r.body.order, r.body.code))


def ledger_counts(*, user) -> dict[str, int]:
    """The ledger's counts as the supervision page, its home-page block and the township's to-do list show them."""
    on = today()
    finished = finished_cycles(on=on)
    qs = access.items_for(user)
    return {
        "open": qs.filter(state=ItemState.OPEN).count(),
        "awaiting_data": qs.filter(state=ItemState.AWAITING_DATA).count(),
        "closed": qs.filter(state=ItemState.CLOSED).count(),
        "overdue": qs.filter(overdue_q(on=on, finished=finished)).count(),
        "overdue_measures": access.measures_for(user).filter(measure_overdue_q(on=on, finished=finished)).count(),
        "awaiting_acceptance": qs.filter(work_status=WorkStatus.AWAITING_ACCEPTANCE).count(),
    }


# --- The annual assessment ----------------------------------------------------------------------------------------


def assessment_years() -> list[int]:
    years = {d.year for d in RectificationItem.objects.exclude(due_date=None).values_list("due_date", flat=True)}
    years |= {d.year for d in Measure.objects.exclude(due_date=None).values_list("due_date", flat=True)}
    return sorted(years, reverse=True)


def assessment(*, year: int, on: datetime.date | None = None) -> list:
    """The annual assessment of `year` (supervision/assessment.py): scored bodies ranked, then those without work."""
    from . import assessment as annual

    return annual.year_rows(year=year, today=on or today())


# --- The one-school plan ------------------------------------------------------------------------------------------


def school_plan(*, user, school) -> dict:
    items = list(ledger(user=user, school=school).exclude(state=ItemState.CLOSED).prefetch_related("projects"))
    projects = access.projects_for(user).filter(Q(school=school) | Q(items__school=school)).distinct()
    return {"items": items, "projects": list(projects.order_by("planned_completion", "pk"))}


# --- Projects in a what-if -----------------------------------------------------------------------------------------

# How a project's figures change its school's in a what-if (indicators/whatif/changes.py's change rows). New schools and
# function rooms without an area have no such figure; they get no button.
PROJECT_AREA_FIELDS = {"sports_ground": "sports_area_m2", "extension": "teaching_area_m2", "rooms": "teaching_area_m2"}
SECTION_OF_KIND = {"primary": "primary", "junior": "junior"}


def project_whatif_changes(project) -> list[dict]:
    """The what-if changes that apply a project to its school's figures, e.g. a 6,900 m² sports ground →
    {"school": "2136480001", "field": "sports_area_m2", "delta": "6900"}; [] when the project says nothing usable."""
    school = project.school
    if school is None:
        return []
    field = PROJECT_AREA_FIELDS.get(project.kind)
    if field and project.area_m2:
        return [{"school": school.code, "field": field, "delta": format(project.area_m2.normalize(), "f")}]
    if project.kind == "equipment" and project.budget_total:
        return [
            {
                "school": school.code,
                "field": "equipment_value_yuan",
                "delta": format(project.budget_total.normalize(), "f"),
            }
        ]
    section = SECTION_OF_KIND.get(school.kind)
    if project.kind == "hiring" and project.teachers and section:
        return [{"school": school.code, "field": "teachers", "section": section, "delta": str(project.teachers)}]
    return []


def recent_updates(*, user, limit: int = 10):
    return (
        access.updates_for(user)
        .select_related("body", "author", "item", "measure")
        .order_by("-created_at", "-pk")[:limit]
    )
