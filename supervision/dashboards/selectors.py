"""Reads of the dashboards: stored results only, each in a fixed number of queries whatever the number of schools.

Rows are read as tuples (`values_list`), not model instances: at 10,000 schools a round holds 200,000 results.
Supervision's own records (cycles and stages, bodies, projects) are read through the `supervision_*` functions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from gongqing.rows import plain_rows
from indicators import loading
from indicators.domain import forecast
from indicators.domain import warnings as early_warnings
from indicators.domain.standard import Standard
from indicators.domain.status import MISSED  # a cell's heat is "not-met" exactly for these stored statuses
from indicators.domain.warnings import AREA_CODES
from indicators.models import EvaluationState, IntakeEstimate, SchoolResult, SectionCV, SectionVerdict, YearSettings
from indicators.templatetags.indicator_tags import format_against
from schools.models import ReturnGradeSum, ReturnStatus, SchoolReturn
from supervision import access, rules
from supervision import selectors as sup
from supervision.models import (
    Body,
    BodyRole,
    Cycle,
    EvidenceFile,
    ItemBody,
    MeasureBody,
    Project,
    WorkStatus,
)

R_CODES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
ITEM_CODES = ("G3", "G4", "G5", "G6", "G7", "G12", "Q4")  # the 2017 school-level items (Standard.school_item_codes)


# --- Rounds -------------------------------------------------------------------------------------------------------


def rounds_with_results(*, summary: bool = True) -> list[EvaluationState]:
    """Every round with stored results, newest first (one query). `summary`: with the rounds' summaries, which only the
    overview and the home panel show (1.2 MB of JSON for a round of 10,000 schools, decoded for nothing elsewhere)."""
    deferred = ("result",) if summary else ("result", "summary")
    return list(
        EvaluationState.objects.filter(computed_version__gt=0)
        .select_related("round", "round__school_year")
        .defer(*deferred)  # result: every gap of every school, megabytes at 10,000 schools, and no dashboard reads it
        .order_by("-round__school_year__year", "-round__as_of", "-round__pk")
    )


def pick_state(states: list[EvaluationState], raw: str | None) -> EvaluationState | None:
    if raw and raw.isdigit():
        for s in states:
            if s.round_id == int(raw):
                return s
    return states[0] if states else None


# --- One round ----------------------------------------------------------------------------------------------------


def section_cvs(*, round) -> list[SectionCV]:
    return list(SectionCV.objects.filter(round=round).order_by("section", "code"))


def verdict_counts(*, round, schools) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    rows = (
        SectionVerdict.objects.filter(round=round, school__in=schools)
        .values_list("section", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for section, status, n in rows:
        out.setdefault(section, {})[status] = n
    return out


def class_size_breaches(*, round, schools) -> dict[str, int]:
    """G5: schools with a class over the cap, the offending classes, and schools without a usable class list."""
    out = {"schools": 0, "classes": 0, "no_data": 0, "checked": 0}
    for status, detail in SchoolResult.objects.filter(
        round=round, school__in=schools, code="G5", section=""
    ).values_list("status", "detail"):
        out["checked"] += 1
        if status == "not_met":
            out["schools"] += 1
            out["classes"] += len((detail or {}).get("offending", []))
        elif status == "no_data":
            out["no_data"] += 1
    return out


@dataclass
class Cell:
    status: str
    value: Decimal | None
    threshold: Decimal | None
    whole: bool = False  # counts (students, largest class, percent of certified teachers): no decimals when whole
    direction: str | None = forecast.MIN  # forecast.direction_of the indicator: which side "close" lies on

    @property
    def heat(self) -> str:
        return forecast.heat_class(
            status=self.status, value=self.value, threshold=self.threshold, direction=self.direction
        )

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.whole and self.value == self.value.to_integral_value():
            return str(int(self.value))
        return format_against(self.value, self.threshold)


@dataclass
class MatrixRow:
    school_id: int
    code: str
    name: str
    kind: str
    township: str
    township_order: int
    section: str
    students: int
    verdict: str
    met_count: int
    cells: dict[str, Cell] = field(default_factory=dict)
    counted: tuple[int, int] | None = None  # (misses, close) counted by the database when the cells are not read

    @property
    def misses(self) -> int:
        if self.counted is not None and not self.cells:
            return self.counted[0]
        return sum(1 for c in self.cells.values() if c.heat == "not-met")

    @property
    def close(self) -> int:
        if self.counted is not None and not self.cells:
            return self.counted[1]
        return sum(1 for c in self.cells.values() if c.heat == "close")


def matrix_index(*, round, schools) -> list[MatrixRow]:
    """One row per evaluated school section without its cells: what the matrix sorts and pages (one query)."""
    verdicts = (
        SectionVerdict.objects.filter(round=round, school__in=schools)
        .exclude(status="not_evaluated")
        .values_list(
            "school_id",
            "school__code",
            "school__name",
            "school__kind",
            "school__township__name",
            "school__township__order",
            "section",
            "students",
            "status",
            "met_count",
        )
        .order_by("school__township__order", "school__code", "section")
    )
    return [MatrixRow(*v) for v in verdicts]


def count_misses(rows: list[MatrixRow], *, round, schools, codes, directions) -> None:
    """Each row's misses and close cells as the cells would count them, without reading every cell (two queries):
    the misses by stored status, counted by the database; "close" (met within 10 % of failing) decided by
    forecast.is_close in Python over the few met results the database finds near their threshold, with a margin
    wider than the rule's so that no close result is left out. A school-level item (section "") counts in each of
    the school's section rows, as its cell shows in each."""
    results = SchoolResult.objects.filter(round=round, school__in=schools, code__in=list(codes))
    misses: dict[tuple[int, str], int] = defaultdict(int)
    for sid, section, n in (
        results.filter(status__in=MISSED).values_list("school_id", "section").annotate(n=Count("pk")).order_by()
    ):
        misses[(sid, section)] = n
    near = results.filter(near_threshold(codes, directions))
    close: dict[tuple[int, str], int] = defaultdict(int)
    for sid, section, code, value, threshold in near.values_list("school_id", "section", "code", "value", "threshold"):
        direction = directions.get(code, forecast.MIN)
        if forecast.is_close(status="met", value=value, threshold=threshold, direction=direction):
            close[(sid, section)] += 1
    for row in rows:
        key, whole = (row.school_id, row.section), (row.school_id, "")
        row.counted = (misses[key] + misses[whole], close[key] + close[whole])


def fill_cells(rows: list[MatrixRow], *, round, codes, directions) -> list[MatrixRow]:
    """The cells of the given rows (a page of the matrix): their section's results and their school's school-level
    items (one query, for those rows' schools only)."""
    by_school: dict[int, list[MatrixRow]] = defaultdict(list)
    for row in rows:
        by_school[row.school_id].append(row)
    results = SchoolResult.objects.filter(round=round, school_id__in=list(by_school), code__in=list(codes))
    for sid, section, code, status, value, threshold in results.values_list(
        "school_id", "section", "code", "status", "value", "threshold"
    ):
        cell = Cell(status, value, threshold, whole=not section, direction=directions.get(code, forecast.MIN))
        for row in by_school[sid]:
            if not section or row.section == section:
                row.cells[code] = cell
    return rows


def matrix_rows(*, round, schools, codes=R_CODES + ITEM_CODES, directions=None) -> list[MatrixRow]:
    """One row per evaluated school section with every cell: the section's results (R1–R7) and the school's
    school-level items (G3–G7, G12, Q4), each with its indicator's direction (`directions`: code →
    forecast.direction_of; two queries). The whole county's, for the download; the page reads matrix_index and
    fills the cells of its own rows."""
    directions = directions or {}
    rows = matrix_index(round=round, schools=schools)
    index = {(r.school_id, r.section): r for r in rows}
    by_school: dict[int, list[MatrixRow]] = defaultdict(list)
    for row in rows:
        by_school[row.school_id].append(row)
    results = SchoolResult.objects.filter(round=round, school__in=schools, code__in=list(codes)).values_list(
        "school_id", "section", "code", "status", "value", "threshold"
    )
    for sid, section, code, status, value, threshold in results:
        cell = Cell(status, value, threshold, whole=not section, direction=directions.get(code, forecast.MIN))
        if section:
            row = index.get((sid, section))
            if row is not None:
                row.cells[code] = cell
        else:
            for row in by_school.get(sid, ()):
                row.cells[code] = cell
    return rows


# --- Across rounds ------------------------------------------------------------------------------------------------


def cv_history(*, round_ids) -> list[tuple]:
    """(round id, section, code, mean, cv, limit, met) of every given round (one query)."""
    return list(
        SectionCV.objects.filter(round_id__in=round_ids).values_list(
            "round_id", "section", "code", "mean", "cv", "limit", "met"
        )
    )


def standards_by_year(years) -> dict[int, Standard]:
    """The standard each school year is evaluated with (two queries whatever the number of years)."""
    from indicators.domain.standard import standard_from_dict

    chosen = {
        ys.school_year.year: standard_from_dict(ys.standard.data)
        for ys in YearSettings.objects.filter(school_year__year__in=list(years)).select_related(
            "standard", "school_year"
        )
    }
    missing = [y for y in years if y not in chosen]
    if missing:
        national = standard_from_dict(loading.national_standard_row().data)
        for y in missing:
            chosen[y] = national
    return chosen


# --- Class lists for the forecast -----------------------------------------------------------------------------------


@dataclass
class SchoolInfo:
    school_id: int
    code: str
    name: str
    township_id: int
    township: str
    township_order: int


def evaluated_returns(*, round, schools=None):
    """The return the round evaluates for each school: the latest approved one of the year up to the round's date
    (as loading.round_returns: by date, then by round; a school has one live return a round), as a queryset usable
    as a subquery on SQLite and PostgreSQL alike. Numbered per school by a window function: one sort of the year's
    approved returns whatever the planner knows of the tables (a NOT EXISTS of a later return took 38 s at 10,000
    schools on tables never analysed, as a nested loop over the returns twice)."""
    latest_first = Window(
        RowNumber(), partition_by=[F("school_id")], order_by=[F("round__as_of").desc(), F("round_id").desc()]
    )
    approved = SchoolReturn.objects.filter(
        round__school_year=round.school_year, round__as_of__lte=round.as_of, status=ReturnStatus.APPROVED
    )
    if schools is not None:  # the schools' own rows are ranked: the scope does not change which return is latest
        approved = approved.filter(school__in=schools)
    return approved.annotate(latest_first=latest_first).filter(latest_first=1)


def grade_counts(*, round, schools) -> tuple[list[forecast.SchoolGrades], dict[int, SchoolInfo]]:
    """Each school's class list in the return the round evaluates (evaluated_returns), summed by grade; two queries
    (the sums of those returns selected by a subquery, not by a list of 10,000 ids). The sums are ReturnGradeSum's,
    which the database keeps equal to the class rows' in every write (triggers): at 10,000 schools 60,000 rows read
    as they are instead of 196,000 class rows gathered and summed."""
    evaluated = evaluated_returns(round=round, schools=schools)
    info: dict[int, SchoolInfo] = {}
    out: list[forecast.SchoolGrades] = []
    grades_of: dict[int, dict[int, forecast.Grade]] = {}  # return id → its school's grades, filled below
    for rid, sid, code, name, tid, township, order in plain_rows(
        evaluated.order_by("school_id").values_list(
            "pk",
            "school_id",
            "school__code",
            "school__name",
            "school__township_id",
            "school__township__name",
            "school__township__order",
        )
    ):
        info[sid] = SchoolInfo(sid, code, name, tid, township, order)
        grades_of[rid] = {}
        out.append(forecast.SchoolGrades(sid, tid, grades_of[rid]))
    # The sums of every school's evaluated return, kept for the schools read above: with the schools as one more
    # subquery, PostgreSQL without statistics joined them by a nested loop (150 ms at 1,000 schools).
    sums = ReturnGradeSum.objects.filter(school_return__in=evaluated_returns(round=round).values("pk")).values_list(
        "school_return_id", "grade", "students", "classes"
    )
    Grade, grades_get = forecast.Grade, grades_of.get
    for rid, grade, students, classes in plain_rows(sums):
        grades = grades_get(rid)
        if grades is not None:  # a school outside the schools, or a return approved between the two reads
            grades[grade] = Grade(students, classes)
    return out, info


def intake_estimates(*, year: int, schools) -> dict[int, int]:
    """School id → the bureau's grade-1 intake estimate for the school year `year` (one query)."""
    return dict(IntakeEstimate.objects.filter(year=year, school__in=schools).values_list("school_id", "students"))


def near_threshold(codes, directions) -> Q:
    """Met results that may be close to failing (forecast.is_close), by a margin wider than the rule's so that none
    is left out whatever the database's arithmetic; Python then applies the rule itself to these few."""
    above = [c for c in codes if directions.get(c, forecast.MIN) in (forecast.MIN, forecast.RULE)]
    below = [c for c in codes if directions.get(c, forecast.MIN) in (forecast.MAX, forecast.RULE)]
    wide_above = forecast.CLOSE_MARGIN + Decimal("0.01")
    wide_below = forecast.CLOSE_MARGIN_BELOW - Decimal("0.01")
    return Q(status="met", value__isnull=False, threshold__gt=0) & (
        Q(code__in=above, value__lt=F("threshold") * wide_above)
        | Q(code__in=below, value__gt=F("threshold") * wide_below)
    )


def warning_results(*, round, school_ids, codes, directions) -> list[tuple]:
    """The results the early warnings can use, as school_results gives them: the met ones near their threshold
    (close_to_failing) and the met per-student areas (areas_falling); at 10,000 schools 30,000 of the round's 120,000
    (one query). The round's rows are read and those of `school_ids` (the schools whose class lists were read) kept in
    Python: with the reader's schools as a subquery PostgreSQL joined the schools to each row by a nested loop (30 ms
    at 10,000 schools), and the warnings use no result of a school without a class list."""
    wanted = near_threshold(codes, directions) | Q(status="met", value__isnull=False, code__in=list(AREA_CODES))
    return [
        row
        for row in SchoolResult.objects.filter(round=round, code__in=list(codes))
        .filter(wanted)
        .values_list("school_id", "section", "code", "status", "value", "threshold")
        if row[0] in school_ids
    ]


def section_students(*, round, school_ids) -> dict[tuple[int, str], int]:
    """(school id, section) → pupils of the round's verdicts, for the given schools: the round's rows read whole and
    kept in Python (the schools as a subquery made PostgreSQL without statistics join them by a nested loop)."""
    return {
        (sid, section): students
        for sid, section, students in SectionVerdict.objects.filter(round=round).values_list(
            "school_id", "section", "students"
        )
        if sid in school_ids
    }


# --- Early warnings -----------------------------------------------------------------------------------------------

UNREAD = object()


def warning_inputs(*, round, schools, projects=UNREAD, intakes=None) -> early_warnings.WarningInputs:
    """Everything the early warnings are computed from, read in a fixed number of queries; `projects` and `intakes`
    when the caller has read them already (the page's cache key is a digest of them)."""
    year = round.school_year.year
    std = standards_by_year([year])[year]
    codes = early_warnings.school_codes(std)
    directions = early_warnings.directions(std)
    until = early_warnings.next_as_of(round.as_of)
    grades, info = grade_counts(round=round, schools=schools)
    return early_warnings.WarningInputs(
        year=year,
        until=until,
        codes=codes,
        names={code: d.name_zh for code, d in std.indicators.items()},
        directions=directions,
        caps=std.class_caps,
        results=warning_results(round=round, school_ids=info, codes=codes, directions=directions),
        grades=grades,
        info=info,
        projects=(
            supervision_projects(after=round.as_of, until=until, schools=schools) if projects is UNREAD else projects
        ),
        students=section_students(round=round, school_ids=info),
        intakes=intake_estimates(year=year + 1, schools=schools) if intakes is None else intakes,
    )


# --- Supervision (read-only) ----------------------------------------------------------------------------------------


@dataclass
class StageRow:
    number: int
    name: str
    starts: datetime.date | None
    ends: datetime.date
    total: int = 0
    done: int = 0
    current: bool = False

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.done) / self.total if self.total else None


@dataclass
class StageProgress:
    cycle: str
    stages: list[StageRow]
    current: StageRow | None
    days_left: int | None
    finished: bool


def supervision_stages(*, user, on: datetime.date) -> StageProgress | None:
    """The current cycle's stages, the one `on` falls in with its days left, and the share of the measures and items
    of each stage whose work was accepted — among those the user may see (supervision's access helper)."""
    cycle = Cycle.objects.filter(is_current=True).prefetch_related("stages").first()
    if cycle is None:
        return None
    stages = list(cycle.stages.all())
    rows = {s.pk: StageRow(s.number, s.name, s.starts, s.ends) for s in stages}
    counts = defaultdict(lambda: [0, 0])
    for qs in (access.items_for(user), access.measures_for(user)):
        for stage_id, work, n in (
            qs.filter(stage__in=stages).values_list("stage_id", "work_status").annotate(n=Count("pk")).order_by()
        ):
            counts[stage_id][0] += n
            counts[stage_id][1] += n if work == WorkStatus.ACCEPTED else 0
    for pk, (total, done) in counts.items():
        rows[pk].total, rows[pk].done = total, done
    dates = [rules.StageDates(s.number, s.starts, s.ends) for s in stages]
    number = rules.current_stage(dates, on)
    finished = cycle.read_only or rules.is_finished(dates, on)
    current = None
    for row in rows.values():
        if row.number == number and not finished:
            row.current, current = True, row
    ordered = sorted(rows.values(), key=lambda r: r.number)
    return StageProgress(cycle.name, ordered, current, (current.ends - on).days if current else None, bool(finished))


@dataclass
class BodyRow:
    body_id: int
    name: str
    kind: str
    order: int
    led: int = 0
    done: int = 0
    overdue: int = 0
    evidenced: int = 0
    projects_due: int = 0
    projects_on_time: int = 0
    score: Decimal | None = None
    rank: int | None = None

    @property
    def done_share(self) -> Decimal | None:
        return Decimal(self.done) / self.led if self.led else None

    @property
    def on_time_share(self) -> Decimal | None:
        return Decimal(self.projects_on_time) / self.projects_due if self.projects_due else None


@dataclass
class Board:
    cycle: str | None  # the cycle counted (the current one); None: no current cycle, nothing counted
    rows: list[BodyRow]


def supervision_board(*, on: datetime.date) -> Board:
    """Per body (township, department, the leading group): the measures and items it leads in the current cycle
    (supervision.selectors.current_cycle(); an item without a stage counts as current work, an archived cycle's do
    not), accepted, overdue, accepted with evidence; projects due by `on` (of its current items, or of its township's
    schools when the project has no item) and those finished on time; this year's assessment score, which rates
    every body."""
    bodies = {b.pk: BodyRow(b.pk, b.name, b.kind, b.order) for b in Body.objects.order_by("kind", "order", "code")}
    township_body = dict(Body.objects.exclude(township=None).values_list("township_id", "pk"))
    cycle = sup.current_cycle()
    current = cycle.pk if cycle else None
    finished = False
    if cycle is not None:
        dates = [rules.StageDates(s.number, s.starts, s.ends) for s in cycle.stages.all()]
        finished = bool(cycle.read_only or rules.is_finished(dates, on))
    evidenced_items = set(
        EvidenceFile.objects.filter(update__item__isnull=False).values_list("update__item_id", flat=True)
    )
    evidenced_measures = set(
        EvidenceFile.objects.filter(update__measure__isnull=False).values_list("update__measure_id", flat=True)
    )
    lead_items = ItemBody.objects.filter(role=BodyRole.LEAD, body_id__in=list(bodies)).values_list(
        "body_id", "item_id", "item__state", "item__work_status", "item__due_date", "item__stage__cycle_id"
    )
    lead_of_item: dict[int, int] = {}
    archived_items: set[int] = set()
    for body_id, item_id, state, work, due, cycle_id in lead_items:
        if current is None or (cycle_id is not None and cycle_id != current):
            archived_items.add(item_id)
            continue
        row = bodies[body_id]
        lead_of_item[item_id] = body_id
        row.led += 1
        accepted = work == WorkStatus.ACCEPTED
        row.done += accepted
        row.evidenced += accepted and item_id in evidenced_items
        row.overdue += rules.is_overdue(
            due_date=due, state=state, work=work, today=on, finished=finished and cycle_id is not None
        )
    for body_id, measure_id, work, due in MeasureBody.objects.filter(
        role=BodyRole.LEAD, body_id__in=list(bodies), measure__cycle_id=current
    ).values_list("body_id", "measure_id", "measure__work_status", "measure__due_date"):
        row = bodies[body_id]
        row.led += 1
        accepted = work == WorkStatus.ACCEPTED
        row.done += accepted
        row.evidenced += accepted and measure_id in evidenced_measures
        row.overdue += rules.is_overdue(due_date=due, state="open", work=work, today=on, finished=finished)
    counted: set[tuple[int, int]] = set()
    for pk, planned, actual, item_id, township_id in Project.objects.filter(planned_completion__lte=on).values_list(
        "pk", "planned_completion", "actual_completion", "items__pk", "school__township_id"
    ):
        if item_id in archived_items:
            continue  # work of an archived cycle
        body_id = lead_of_item.get(item_id) if item_id else None
        body_id = body_id or township_body.get(township_id)
        if body_id not in bodies or (pk, body_id) in counted:
            continue
        counted.add((pk, body_id))
        bodies[body_id].projects_due += 1
        bodies[body_id].projects_on_time += actual is not None and actual <= planned
    for a in sup.assessment(year=on.year):
        row = bodies.get(a.body.pk)
        if row is not None:
            row.score, row.rank = a.score, a.rank
    return Board(cycle.name if cycle else None, list(bodies.values()))


def supervision_projects(*, after: datetime.date, until: datetime.date, schools) -> list[tuple]:
    """(school id, kind, places, area) of projects finishing in (after, until] — actual date, else planned."""
    out = []
    for sid, kind, places, area, planned, actual in (
        Project.objects.filter(school__in=schools)
        .filter(Q(actual_completion__gt=after, actual_completion__lte=until) | Q(actual_completion=None))
        .values_list("school_id", "kind", "places", "area_m2", "planned_completion", "actual_completion")
    ):
        when = actual or planned
        if when is not None and after < when <= until:
            out.append((sid, kind, places or 0, area or Decimal(0)))
    return out
