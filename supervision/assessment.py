"""The annual assessment (督导考核, measure 5.3) as PLAN.md gives it, run by the leadership group's office at 市教体局.

Who is scored: the six townships and the seven functional departments (plan.SCORED_DEPARTMENTS). The leadership group
and its office assess and are never scored; 市委办 and 市政府办 sit in the mechanism (1.1) and are not ranked; nor are
the schools and the news media, parties without duties of their own.

What a body is scored on: the measures and the rectification items of the year, as lead or as cooperating body. A piece
of work counts in year Y when its due date (set by the bureau, per measure and per item) falls in Y; work without a due
date is listed as such and not scored. Measures without a lead (1.1, the mechanism) and the leadership group's own
(5.1–5.3) are not scored; items within the 85% tolerance are warnings, not failures, and are left out.

The default method (weights are data, `AssessmentMethod`, shown with the method on the page and in the export): a
piece is worth 1 to its lead and 0.5 to each cooperating body and earns, by its state at the end of the year (or
today, for the current year): accepted by its due date 100%, after it 60%; reported done and awaiting acceptance 80%
if reported by the due date, 40% after; in progress, not started or sent back 50% while not yet due, 0% once overdue;
closed because the indicator came back to standard without the work: not counted. Score = weighted mean × 100, to one
decimal. A body with no scored work in the year is "无考核事项" and is not ranked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    AssessmentMethod,
    Body,
    BodyKind,
    BodyRole,
    ClosedReason,
    ItemBody,
    MeasureBody,
    WorkStatus,
)
from .plan import SCORED_DEPARTMENTS, UNSCORED_MEASURES

HUNDRED = Decimal(100)

# States of a piece of work at the assessment date (`state_at`).
ACCEPTED_ON_TIME = "accepted_on_time"
ACCEPTED_LATE = "accepted_late"
AWAITING_ON_TIME = "awaiting_on_time"
AWAITING_LATE = "awaiting_late"
OPEN_NOT_DUE = "open_not_due"
OPEN_OVERDUE = "open_overdue"
NOT_COUNTED = "not_counted"
NO_DUE_DATE = "no_due_date"
STATE_LABELS = {
    ACCEPTED_ON_TIME: gettext_lazy("按期验收"),
    ACCEPTED_LATE: gettext_lazy("逾期验收"),
    AWAITING_ON_TIME: gettext_lazy("按期报完成，待验收"),
    AWAITING_LATE: gettext_lazy("逾期报完成，待验收"),
    OPEN_NOT_DUE: gettext_lazy("推进中，未到期"),
    OPEN_OVERDUE: gettext_lazy("推进中，已逾期"),
    NOT_COUNTED: gettext_lazy("未经整改即达标，不计"),
    NO_DUE_DATE: gettext_lazy("未设完成时限，不计分"),
}


@dataclass(frozen=True)
class Method:
    lead_weight: Decimal = Decimal(1)
    cooperating_weight: Decimal = Decimal("0.5")
    shares: dict = field(
        default_factory=lambda: {
            ACCEPTED_ON_TIME: Decimal(100),
            ACCEPTED_LATE: Decimal(60),
            AWAITING_ON_TIME: Decimal(80),
            AWAITING_LATE: Decimal(40),
            OPEN_NOT_DUE: Decimal(50),
            OPEN_OVERDUE: Decimal(0),
        }
    )

    @classmethod
    def from_row(cls, row: AssessmentMethod | None) -> Method:
        if row is None:
            return cls()
        states = (ACCEPTED_ON_TIME, ACCEPTED_LATE, AWAITING_ON_TIME, AWAITING_LATE, OPEN_NOT_DUE, OPEN_OVERDUE)
        return cls(row.lead_weight, row.cooperating_weight, {s: getattr(row, s) for s in states})

    def text(self) -> str:
        s = self.shares
        return _(
            "每项工作对牵头单位计%(lead)s份、对每个配合单位计%(coop)s份；按年底（当年为今天）的状态得分："
            "按期验收%(a)s%%，逾期验收%(b)s%%；已报完成待验收，按期报完成%(c)s%%，逾期报完成%(d)s%%；"
            "推进中、未开始或退回整改，未到期%(e)s%%，已逾期%(f)s%%；未经整改即达标而销号的不计。"
            "得分 = 加权平均 × 100，保留一位小数。完成时限在本年度内的工作计入本年度；未设完成时限的工作单列，不计分。"
            "考核对象为六个乡镇（街道）和七个职能部门；领导小组及其办公室负责考核，不参加考核；"
            "市委办、市政府办参与推进机制，不排名。本年度没有计分工作的单位为“无考核事项”，不排名。"
        ) % {
            "lead": _num(self.lead_weight),
            "coop": _num(self.cooperating_weight),
            "a": _num(s[ACCEPTED_ON_TIME]),
            "b": _num(s[ACCEPTED_LATE]),
            "c": _num(s[AWAITING_ON_TIME]),
            "d": _num(s[AWAITING_LATE]),
            "e": _num(s[OPEN_NOT_DUE]),
            "f": _num(s[OPEN_OVERDUE]),
        }


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Work:
    """One measure or item as the assessment sees it, dates already in local time."""

    kind: str  # "measure" | "item"
    pk: int
    title: str
    due_date: datetime.date | None
    work_status: str
    done_on: datetime.date | None
    accepted_on: datetime.date | None
    closed_without_work: bool = False


def state_at(work: Work, on: datetime.date) -> str:
    """The state a piece of work is scored in on `on` (the year's last day, or today)."""
    if work.due_date is None:
        return NO_DUE_DATE
    if work.closed_without_work:
        return NOT_COUNTED
    if work.accepted_on is not None and work.accepted_on <= on:
        return ACCEPTED_ON_TIME if work.accepted_on <= work.due_date else ACCEPTED_LATE
    if (
        work.done_on is not None
        and work.done_on <= on
        and work.work_status in (WorkStatus.AWAITING_ACCEPTANCE, WorkStatus.ACCEPTED)
    ):
        return AWAITING_ON_TIME if work.done_on <= work.due_date else AWAITING_LATE
    return OPEN_NOT_DUE if on <= work.due_date else OPEN_OVERDUE


@dataclass
class Line:
    work: Work
    role: str
    state: str
    weight: Decimal | None  # None: not scored
    share: Decimal | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def role_label(self) -> str:
        return dict(BodyRole.choices)[self.role]


@dataclass
class Row:
    body: Body
    lines: list[Line] = field(default_factory=list)
    score: Decimal | None = None
    rank: int | None = None

    @property
    def scored(self) -> list[Line]:
        return [line for line in self.lines if line.weight is not None]

    @property
    def undated(self) -> list[Line]:
        return [line for line in self.lines if line.state == NO_DUE_DATE]

    @property
    def no_work(self) -> bool:
        return self.score is None


def score(lines: list[Line]) -> Decimal | None:
    """Σ weight × share ÷ Σ weight (shares in %), to one decimal; None without scored work."""
    scored = [line for line in lines if line.weight is not None]
    total = sum((line.weight for line in scored), Decimal(0))
    if not total:
        return None
    earned = sum((line.weight * line.share for line in scored), Decimal(0))
    return (earned / total).quantize(Decimal("0.1"))


def line(work: Work, role: str, method: Method, on: datetime.date) -> Line:
    state = state_at(work, on)
    if state in (NO_DUE_DATE, NOT_COUNTED):
        return Line(work, role, state, None, None)
    weight = method.lead_weight if role == BodyRole.LEAD else method.cooperating_weight
    return Line(work, role, state, weight, method.shares[state])


def rank(rows: list[Row]) -> list[Row]:
    """Ranked by score (equal scores share a rank), then the bodies with no work, unranked."""
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: (-r.score, r.body.kind, r.body.order))
    previous, place = None, 0
    for i, row in enumerate(scored, start=1):
        if row.score != previous:
            place, previous = i, row.score
        row.rank = place
    return scored + [r for r in rows if r.score is None]


# --- Reading the year's work ---------------------------------------------------------------------------------------


def scored_bodies():
    return Body.objects.filter(kind=BodyKind.TOWNSHIP) | Body.objects.filter(code__in=SCORED_DEPARTMENTS)


def method() -> Method:
    return Method.from_row(AssessmentMethod.objects.order_by("pk").first())


def assessment_date(year: int, today: datetime.date) -> datetime.date:
    return min(datetime.date(year, 12, 31), today)


def _local(at) -> datetime.date | None:
    return timezone.localtime(at).date() if at else None


def year_rows(*, year: int, today: datetime.date) -> list[Row]:
    """Every scored body with its lines of the year (and its undated work), scored and ranked. Four queries."""
    on = assessment_date(year, today)
    how = method()
    bodies = list(scored_bodies().order_by("kind", "order", "code"))
    rows = {b.pk: Row(b) for b in bodies}
    items = (
        ItemBody.objects.filter(body_id__in=rows, item__within_tolerance=False, item__deleted_at__isnull=True)
        .filter(_year_or_undated("item__due_date", year))
        .values_list(
            "body_id",
            "role",
            "item_id",
            "item__title",
            "item__due_date",
            "item__work_status",
            "item__done_at",
            "item__accepted_at",
            "item__closed_reason",
        )
    )
    for body_id, role, pk, title, due, work, done, accepted, reason in items:
        w = Work(
            "item", pk, title, due, work, _local(done), _local(accepted), reason == ClosedReason.WITHOUT_RECTIFICATION
        )
        rows[body_id].lines.append(line(w, role, how, on))
    measures = (
        MeasureBody.objects.filter(body_id__in=rows)
        .exclude(measure__ref__in=UNSCORED_MEASURES)
        .filter(measure__assignments__role=BodyRole.LEAD)
        .filter(_year_or_undated("measure__due_date", year))
        .distinct()
        .values_list(
            "body_id",
            "role",
            "measure_id",
            "measure__ref",
            "measure__title",
            "measure__due_date",
            "measure__work_status",
            "measure__done_at",
            "measure__accepted_at",
        )
    )
    for body_id, role, pk, ref, title, due, work, done, accepted in measures:
        w = Work("measure", pk, f"{ref} {title}", due, work, _local(done), _local(accepted))
        rows[body_id].lines.append(line(w, role, how, on))
    for row in rows.values():
        row.lines.sort(key=lambda ln: (ln.work.due_date or datetime.date.max, ln.work.kind, ln.work.pk))
        row.score = score(row.lines)
    return rank(list(rows.values()))


def _year_or_undated(name: str, year: int):
    from django.db.models import Q

    return Q(**{f"{name}__year": year}) | Q(**{f"{name}__isnull": True})
