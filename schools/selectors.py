"""Reads of school data, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import FIGURE_FIELDS, ReturnStatus, School, SchoolReturn
from .validation import ClassRow, RoomRow


def return_figures(school_return: SchoolReturn) -> dict:
    return {f: getattr(school_return, f) for f in FIGURE_FIELDS}


def return_class_rows(school_return: SchoolReturn) -> list[ClassRow]:
    return [ClassRow(c.section, c.grade, c.name, c.students) for c in school_return.classes.all()]


def return_room_rows(school_return: SchoolReturn) -> list[RoomRow]:
    return [RoomRow(r.room, r.area_m2) for r in school_return.rooms.all()]


def last_approved_return(*, school: School, before_round=None) -> SchoolReturn | None:
    """The school's most recent approved return (by the round's reference date), optionally before a round."""
    qs = SchoolReturn.objects.filter(school=school, status=ReturnStatus.APPROVED)
    if before_round is not None:
        qs = qs.exclude(round=before_round).filter(round__as_of__lte=before_round.as_of)
    return qs.select_related("round").order_by("-round__as_of", "-round__pk").first()


def round_status_counts(*, round, schools) -> dict:
    """Per township: how many schools are in each status for this round (not started = no return yet)."""
    # Joins through `returns` bypass the default manager: deleted returns are left out explicitly.
    live = Q(returns__round=round, returns__deleted_at__isnull=True)
    rows = (
        schools.open_in(round.school_year.year)
        .values("township_id", "township__name")
        .annotate(
            total=Count("pk", distinct=True),
            draft=Count("returns", filter=live & Q(returns__status=ReturnStatus.DRAFT)),
            submitted=Count("returns", filter=live & Q(returns__status=ReturnStatus.SUBMITTED)),
            returned=Count("returns", filter=live & Q(returns__status=ReturnStatus.RETURNED)),
            approved=Count("returns", filter=live & Q(returns__status=ReturnStatus.APPROVED)),
        )
        .order_by("township__order", "township_id")
    )
    out = []
    for row in rows:
        started = row["draft"] + row["submitted"] + row["returned"] + row["approved"]
        out.append({**row, "not_started": row["total"] - started})
    return out
