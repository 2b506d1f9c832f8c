"""What waits for a township official, on their home page: returns to fill in the open rounds, returns sent back
with the reviewer's comment, and the overdue rectification items and measures of their township.

The overdue counts are supervision's own (selectors.ledger_counts), so the list agrees with /supervision/.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string

from schools import access as school_access
from schools.models import CollectionRound, ReturnStatus, SchoolReturn

from . import access, selectors
from .models import RectificationItem

SHOWN = 10
TO_FILL = (ReturnStatus.DRAFT,)


@dataclass
class RoundToFill:
    round: CollectionRound
    schools: list = field(default_factory=list)  # (school, draft return or None), not yet submitted


@dataclass
class Todo:
    to_fill: list[RoundToFill]
    to_fill_count: int
    sent_back: list[SchoolReturn]
    overdue_items: list[RectificationItem]
    counts: dict[str, int]

    @property
    def empty(self) -> bool:
        return not (self.to_fill_count or self.sent_back or self.counts["overdue"] or self.counts["overdue_measures"])


def township_todo(*, user) -> Todo:
    """A fixed number of queries whatever the number of rounds, schools or items."""
    schools = school_access.schools_for(user)
    rounds = list(CollectionRound.objects.filter(is_open=True).select_related("school_year").order_by("due_date"))
    returns = SchoolReturn.objects.filter(round__in=rounds, school__in=schools).select_related("school", "round")
    by_key = {(r.round_id, r.school_id): r for r in returns}
    years = {r.school_year.year for r in rounds}
    open_by_year = {year: list(schools.open_in(year).order_by("code")) for year in years}
    to_fill = []
    for rnd in rounds:
        row = RoundToFill(round=rnd)
        for school in open_by_year[rnd.school_year.year]:
            ret = by_key.get((rnd.pk, school.pk))
            if ret is None or ret.status in TO_FILL:
                row.schools.append((school, ret))
        if row.schools:
            to_fill.append(row)
    sent_back = [r for r in by_key.values() if r.status == ReturnStatus.RETURNED]
    sent_back.sort(key=lambda r: (r.round.due_date, r.school.code))
    on = selectors.today()
    overdue = (
        access.items_for(user)
        .filter(selectors.overdue_q(on=on, finished=selectors.finished_cycles(on=on)))
        .select_related("school")
    )
    return Todo(
        to_fill=to_fill,
        to_fill_count=sum(len(r.schools) for r in to_fill),
        sent_back=sent_back,
        overdue_items=list(overdue.order_by("due_date", "pk")[:SHOWN]),
        counts=selectors.ledger_counts(user=user),
    )


def todo_panel(request) -> str:
    if school_access.user_township_id(request.user) is None:
        return ""
    todo = township_todo(user=request.user)
    return render_to_string("supervision/_todo_panel.html", {"todo": todo}, request=request)
