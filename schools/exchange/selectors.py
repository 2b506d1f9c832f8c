"""Reads for the exchange: the figures a school starts from in a round, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from schools.models import CollectionRound, ReturnClass, ReturnRoom, ReturnStatus, School, SchoolReturn


@dataclass
class Baseline:
    """A school's figures to pre-fill or to keep: its return in the round, else its last approved one, else none."""

    school: School
    current: SchoolReturn | None  # the return in this round, if any
    source: SchoolReturn | None  # where the figures come from (current, or the last approved before the round)


def _with_rows(qs):
    return qs.prefetch_related(
        Prefetch("classes", queryset=ReturnClass.objects.order_by("section", "grade", "name", "pk")),
        Prefetch("rooms", queryset=ReturnRoom.objects.order_by("room", "pk")),
    )


def baselines(*, round: CollectionRound, schools: Iterable[School]) -> list[Baseline]:
    schools = list(schools)
    current = {
        r.school_id: r for r in _with_rows(SchoolReturn.objects.filter(round=round, school__in=[s.pk for s in schools]))
    }
    missing = [s.pk for s in schools if s.pk not in current]
    latest: dict[int, int] = {}
    if missing:
        approved = (
            SchoolReturn.objects.filter(school__in=missing, status=ReturnStatus.APPROVED, round__as_of__lte=round.as_of)
            .exclude(round=round)
            .order_by("school_id", "-round__as_of", "-round__pk")
            .values_list("school_id", "pk")
        )
        for school_id, pk in approved:
            latest.setdefault(school_id, pk)
    previous = {r.school_id: r for r in _with_rows(SchoolReturn.objects.filter(pk__in=latest.values()))}
    out = []
    for school in schools:
        ret = current.get(school.pk)
        out.append(Baseline(school=school, current=ret, source=ret or previous.get(school.pk)))
    return out


def template_schools(*, round: CollectionRound, township) -> list[School]:
    return list(School.objects.open_in(round.school_year.year).filter(township=township).order_by("code"))


def round_returns(*, round: CollectionRound, schools) -> list[SchoolReturn]:
    """The round's returns of the given (already access-scoped) schools, with their rows."""
    return list(
        _with_rows(SchoolReturn.objects.filter(round=round, school__in=schools).select_related("school")).order_by(
            "school__township__order", "school__code"
        )
    )
