"""The bureau's grade-1 intake estimates for a coming school year, which the class-size forecast uses in place of this
year's grade 1 (issue 6 §5). One page lists the schools with a primary section; a blank box means "no estimate"."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from gongqing import audit
from indicators.models import IntakeEstimate
from schools.models import KIND_SECTIONS

MAX_INTAKE = 5000  # a grade 1 larger than any school could take: surely a typo
PRIMARY_KINDS = [kind for kind, sections in KIND_SECTIONS.items() if "primary" in sections]


@dataclass
class IntakeRow:
    school_id: int
    name: str
    township: str
    grade1_now: int | None  # this year's grade 1 in the latest evaluated class list
    estimate: int | None
    raw: str = ""  # what was typed, shown back when the form is refused
    error: str = ""


def schools_with_primary(schools, *, year: int):
    return (
        schools.open_in(year)
        .filter(kind__in=PRIMARY_KINDS)
        .select_related("township")
        .order_by("township__order", "code")
    )


def parse(data, school_ids) -> tuple[dict[int, int | None], dict[int, str]]:
    """`n_<school id>` of each listed school → students (None: blank, no estimate); errors by school id."""
    values: dict[int, int | None] = {}
    errors: dict[int, str] = {}
    for sid in school_ids:
        raw = (data.get(f"n_{sid}") or "").strip()
        if not raw:
            values[sid] = None
        elif raw.isdigit() and int(raw) <= MAX_INTAKE:
            values[sid] = int(raw)
        else:
            errors[sid] = _("一年级招生预估须为0至%(max)s之间的整数") % {"max": MAX_INTAKE}
    return values, errors


def intake_estimates_save(*, year: int, values: dict[int, int | None], by, request=None) -> int:
    """Set the estimates of `year` for the given schools (None removes one); returns how many rows changed."""
    with transaction.atomic():
        current = {
            e.school_id: e for e in IntakeEstimate.objects.select_for_update().filter(year=year, school_id__in=values)
        }
        changed = {}
        for sid, students in values.items():
            row = current.get(sid)
            if students is None:
                if row is not None:
                    row.delete()
                    changed[str(sid)] = None
            elif row is None:
                IntakeEstimate.objects.create(school_id=sid, year=year, students=students, updated_by=by)
                changed[str(sid)] = students
            elif row.students != students:
                row.students, row.updated_by = students, by
                row.save(update_fields=["students", "updated_by", "updated_at"])
                changed[str(sid)] = students
        audit.record(action="dashboard.intake_estimates", user=by, request=request, year=year, changed=changed)
    return len(changed)
