"""The findings contract: what the data-quality checks say about a return, for forms, imports, review and reports.

A Finding is one implausible or impossible figure (or the whole return when `field` is ""). Other apps read
findings through `findings_for_return` / `findings_for_returns` only, and add their own checks by appending to
`EXTRA_CHECKS` (and values for `stat(figure)` to `STAT_SOURCES`) in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from schools.models import FIGURE_FIELDS, ReturnClass, ReturnRoom, ReturnStatus, SchoolReturn
from schools.validation import ClassRow, RoomRow

from .base import CHANGE, ERROR, EXTRA_CHECKS, OUTLIER, RULE, STAT_SOURCES, WARNING, Context, Finding, ReturnData
from .checks import builtin_checks

__all__ = [
    "CHANGE",
    "ERROR",
    "EXTRA_CHECKS",
    "OUTLIER",
    "RULE",
    "STAT_SOURCES",
    "WARNING",
    "Context",
    "Finding",
    "ReturnData",
    "check",
    "findings_for_draft",
    "findings_for_return",
    "findings_for_returns",
    "load_returns",
]


def _previous_figures(returns: list[SchoolReturn]) -> dict[int, dict]:
    """Each return's school's last approved figures before the return's round (by the round's date): one query."""
    school_ids = {r.school_id for r in returns}
    if not school_ids:
        return {}
    approved = (
        SchoolReturn.objects.filter(school_id__in=school_ids, status=ReturnStatus.APPROVED)
        .select_related("round")
        .order_by("-round__as_of", "-round__pk")
    )
    by_school: dict[int, list[SchoolReturn]] = {}
    for a in approved:
        by_school.setdefault(a.school_id, []).append(a)
    out = {}
    for r in returns:
        for a in by_school.get(r.school_id, ()):
            if a.round_id != r.round_id and a.round.as_of <= r.round.as_of:
                out[r.pk] = {f: getattr(a, f) for f in FIGURE_FIELDS}
                break
    return out


def load_returns(returns: Iterable[SchoolReturn]) -> list[ReturnData]:
    """ReturnData for saved returns, in a constant number of queries whatever their number."""
    ids = [r.pk for r in returns]
    rows = list(
        SchoolReturn.objects.filter(pk__in=ids)
        .select_related("school", "round__school_year")
        .prefetch_related(
            Prefetch("classes", queryset=ReturnClass.objects.order_by("grade", "name", "pk")),
            Prefetch("rooms", queryset=ReturnRoom.objects.order_by("room", "pk")),
        )
    )
    previous = _previous_figures(rows)
    return [
        ReturnData(
            return_id=r.pk,
            school_id=r.school_id,
            kind=r.school.kind,
            location=r.school.location,
            year=r.round.school_year.year,
            figures={f: getattr(r, f) for f in FIGURE_FIELDS},
            classes=[ClassRow(c.section, c.grade, c.name, c.students) for c in r.classes.all()],
            rooms=[RoomRow(m.room, m.area_m2) for m in r.rooms.all()],
            previous=previous.get(r.pk),
        )
        for r in rows
    ]


def check(returns: list[ReturnData], context: Context | None = None) -> dict[int | None, list[Finding]]:
    """Every finding of every return: the built-in checks, then each of EXTRA_CHECKS."""
    context = context or Context(year=returns[0].year if returns else None)
    out: dict[int | None, list[Finding]] = {r.return_id: [] for r in returns}
    for run in (*builtin_checks(), *EXTRA_CHECKS):
        for return_id, found in run(returns, context).items():
            out.setdefault(return_id, []).extend(found)
    return out


def findings_for_returns(returns: Iterable[SchoolReturn]) -> dict[int, list[Finding]]:
    """Findings by return id, in a constant number of queries for any number of returns."""
    return check(load_returns(list(returns)))


def findings_for_return(school_return: SchoolReturn) -> list[Finding]:
    return findings_for_returns([school_return]).get(school_return.pk, [])


def findings_for_draft(
    *, school_return: SchoolReturn, figures: dict, classes: list[ClassRow], rooms: list[RoomRow], context=None
) -> list[Finding]:
    """Findings for figures about to be saved on `school_return` (the form, the import, the API). Pass one `context`
    to check many drafts with the rules and the county distribution loaded once."""
    school = school_return.school
    data = ReturnData(
        return_id=school_return.pk,
        school_id=school.pk,
        kind=school.kind,
        location=school.location,
        year=school_return.round.school_year.year,
        figures=figures,
        classes=list(classes),
        rooms=list(rooms),
        previous=_previous_figures([school_return]).get(school_return.pk),
    )
    return check([data], context).get(school_return.pk, [])
