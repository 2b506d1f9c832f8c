"""Build the POST body of the return edit page, as a browser would send it."""

from decimal import Decimal

from schools.models import (
    FIGURE_FIELDS,
    KIND_SECTIONS,
    KINDS_WITH_SENIOR,
    SPECIAL_SCHOOL_FIELDS,
    SchoolKind,
    SchoolReturn,
)
from schools.selectors import return_class_rows, return_figures, return_room_rows


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _shown(kind: str, field: str) -> bool:
    section = field.split("_", 1)[0]
    if section in ("primary", "junior"):
        return section in KIND_SECTIONS[kind]
    if field == "senior_students":
        return kind in KINDS_WITH_SENIOR
    if field in SPECIAL_SCHOOL_FIELDS:
        return kind == SchoolKind.SPECIAL
    return True


def edit_form_data(*, kind: str, figures: dict, classes, rooms, version: int, submit: bool = False) -> dict:
    data = {"version": str(version)}
    for field in FIGURE_FIELDS:
        if _shown(kind, field):
            data[field] = _value(figures.get(field))
    for prefix, rows in (("classes", classes), ("rooms", rooms)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    for i, row in enumerate(classes):
        data.update(
            {
                f"classes-{i}-section": row.section,
                f"classes-{i}-grade": _value(row.grade),
                f"classes-{i}-name": row.name,
                f"classes-{i}-students": _value(row.students),
            }
        )
    for i, row in enumerate(rooms):
        data.update({f"rooms-{i}-room": row.room, f"rooms-{i}-area_m2": _value(row.area_m2)})
    data["submit" if submit else "save"] = "1"
    return data


def current_form_data(school_return: SchoolReturn, **changes) -> dict:
    """The return as stored, with `changes` applied to its figures: what saving the page unchanged would post."""
    school_return.refresh_from_db()
    figures = {**return_figures(school_return), **changes}
    return edit_form_data(
        kind=school_return.school.kind,
        figures=figures,
        classes=return_class_rows(school_return),
        rooms=return_room_rows(school_return),
        version=school_return.version,
    )
