"""Pure rules of the ledger and the workflow: no database, tested on plain values.

Ledger state (`derive_state`):
- an indicator failing (or within tolerance) keeps the item open, or "done, awaiting data" once its work is accepted;
- a passing indicator closes the item when no work is open: "rectified" if work was accepted, "passed without
  rectification" if none was started; work still in progress keeps it open until the bureau accepts or it is reset;
- no data changes nothing but the label; a manual item closes when its work is accepted.
`should_reopen`: a closed item whose indicator fails again is reopened with its work reset.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FAILING, WITHIN_TOLERANCE, PASSING, NO_DATA = "failing", "within_tolerance", "passing", "no_data"
NOT_STARTED, IN_PROGRESS, AWAITING, ACCEPTED, SENT_BACK = (
    "not_started",
    "in_progress",
    "awaiting_acceptance",
    "accepted",
    "sent_back",
)
OPEN, AWAITING_DATA, CLOSED = "open", "awaiting_data", "closed"
RECTIFIED, WITHOUT_RECTIFICATION = "rectified", "passed_without_rectification"
OPEN_WORK = frozenset({IN_PROGRESS, AWAITING, SENT_BACK})


class WorkflowError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def indicator_status(result_status: str | None) -> str:
    """Map a stored result status (met / not_met / within_tolerance / no_data / None = absent) to the ledger's."""
    if result_status == "not_met":
        return FAILING
    if result_status == "within_tolerance":
        return WITHIN_TOLERANCE
    if result_status == "met":
        return PASSING
    return NO_DATA


def derive_state(*, indicator: str, work: str, manual: bool = False) -> tuple[str, str]:
    """(state, closed_reason) of an item from its indicator status and its work status."""
    if manual:
        return (CLOSED, RECTIFIED) if work == ACCEPTED else (OPEN, "")
    if indicator == PASSING:
        if work == ACCEPTED:
            return CLOSED, RECTIFIED
        if work == NOT_STARTED:
            return CLOSED, WITHOUT_RECTIFICATION
        return OPEN, ""
    return (AWAITING_DATA, "") if work == ACCEPTED else (OPEN, "")


def should_reopen(*, state: str, indicator: str) -> bool:
    return state == CLOSED and indicator in (FAILING, WITHIN_TOLERANCE)


def after_update(work: str) -> str:
    """Posting progress starts the work; it cannot change work that is done or accepted."""
    if work in (NOT_STARTED, SENT_BACK):
        return IN_PROGRESS
    if work == ACCEPTED:
        raise WorkflowError(_("该事项已验收，不能再报送进展。"))
    return work


def after_done(work: str) -> str:
    if work in (NOT_STARTED, IN_PROGRESS, SENT_BACK):
        return AWAITING
    raise WorkflowError(_("只有未完成的事项才能报完成。"))


def after_review(work: str, *, accept: bool) -> str:
    if work != AWAITING:
        raise WorkflowError(_("只有待验收的事项才能验收或退回。"))
    return ACCEPTED if accept else SENT_BACK


def is_overdue(*, due_date: datetime.date | None, state: str, work: str, today: datetime.date, finished: bool) -> bool:
    """Overdue is derived when read: open, work not accepted, past its due date, in a cycle not yet finished."""
    if due_date is None or finished or state != OPEN or work == ACCEPTED:
        return False
    return due_date < today


# --- Cycles and stages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDates:
    number: int
    starts: datetime.date | None
    ends: datetime.date


def current_stage(stages: list[StageDates], today: datetime.date) -> int | None:
    """The number of the stage today falls in; None before the first start or after the last end."""
    for s in sorted(stages, key=lambda s: s.number):
        if (s.starts is None or s.starts <= today) and today <= s.ends:
            return s.number
    return None


def is_finished(stages: list[StageDates], today: datetime.date) -> bool:
    return bool(stages) and today > max(s.ends for s in stages)


def shifted(stages: list[StageDates], *, today: datetime.date, stage_number: int) -> list[StageDates]:
    """The same stages moved by whole days so that `today` falls in the middle of stage `stage_number`."""
    target = next(s for s in stages if s.number == stage_number)
    middle = target.starts + (target.ends - target.starts) / 2
    delta = today - middle
    return [StageDates(s.number, s.starts + delta if s.starts else None, s.ends + delta) for s in stages]


# --- Targets ------------------------------------------------------------------------------------------------------

VERBS = {
    "teachers_above_required": gettext_lazy("补充"),
    "teachers_backbone": gettext_lazy("培养"),
    "teachers_pe_arts": gettext_lazy("补充"),
    "teaching_area_m2": gettext_lazy("建设"),
    "sports_area_m2": gettext_lazy("建设"),
    "equipment_value_yuan": gettext_lazy("购置"),
    "multimedia_rooms": gettext_lazy("建设"),
    "music_rooms": gettext_lazy("建设"),
    "art_rooms": gettext_lazy("建设"),
    "public_funds_yuan": gettext_lazy("追加"),
    "training_funds_yuan": gettext_lazy("追加"),
    "students_over_cap": gettext_lazy("分流"),
}


def quantity_text(quantity: Decimal, unit: str) -> str:
    """Whole units rounded up (nobody builds 0.95 of a square metre); money with thousands separators."""
    whole = int(quantity.to_integral_value(rounding=ROUND_CEILING)) if quantity == quantity else 0
    return f"{whole:,}" if unit == "yuan" else str(whole)


def gap_text(*, resource: str, quantity: Decimal, unit: str, labels: dict, units: dict) -> str:
    """e.g. "建设体育运动场馆 420 平方米"."""
    label = str(labels.get(resource, resource))
    return f"{VERBS.get(resource, '')}{label} {quantity_text(quantity, unit)} {units.get(unit, unit)}".strip()


def gap_texts(*, labels: dict, units: dict):
    """gap_text for many gaps: the labels (lazy translations) resolved once per resource and unit, not per gap."""
    heads: dict[str, str] = {}
    unit_names: dict[str, str] = {}

    def text(*, resource: str, quantity: Decimal, unit: str) -> str:
        head = heads.get(resource)
        if head is None:
            head = heads[resource] = f"{VERBS.get(resource, '')}{labels.get(resource, resource)}"
        name = unit_names.get(unit)
        if name is None:
            name = unit_names[unit] = str(units.get(unit, unit))
        return f"{head} {quantity_text(quantity, unit)} {name}".strip()

    return text


def cv_target(cv: Decimal | None, limit: Decimal) -> str:
    if cv is None:
        return _("差异系数降到%(limit)s以下") % {"limit": limit.normalize()}
    shown = Decimal(math.floor(cv * 1000) / 1000)
    return _("差异系数从%(cv)s降到%(limit)s以下") % {"cv": f"{shown:.3f}", "limit": limit.normalize()}
