"""Rows of schools whose return in the round is submitted or approved: skipped when unchanged, refused when changed.

A template or export downloaded with such schools in it must go back in as it came out. Figures compare at the
precision the database stores them (counts as integers, amounts to the cent), after the cell parsers have read
thousands separators and numbers stored as text, so "1,200" or "500000.0" equal the stored 1200 and 500000.00.
Pure code over one return already loaded with its classes and rooms: no query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from schools.models import FIGURE_FIELDS, ReturnStatus, SchoolReturn
from schools.selectors import return_class_rows, return_room_rows
from schools.validation import ClassRow, RoomRow

LOCKED_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)


def is_locked(ret: SchoolReturn | None) -> bool:
    return ret is not None and ret.status in LOCKED_STATUSES


@dataclass(frozen=True)
class Change:
    """One difference between the file and the stored return: where it is and what each side holds."""

    table: str  # "returns", "classes" or "rooms"
    message: str
    row: int | None = None
    column_key: str | None = None


def _stored_precision(field: str, value: Any) -> Any:
    if value is None:
        return None
    places = getattr(SchoolReturn._meta.get_field(field), "decimal_places", None)
    if places is None:
        return int(value)
    return Decimal(value).quantize(Decimal(10) ** -places)


def _shown(value: Any) -> str:
    return _("（空）") if value is None else str(value)


def _class_key(row: ClassRow) -> tuple:
    return (row.section, row.grade, row.name.strip(), row.students)


def _room_key(row: RoomRow) -> tuple:
    return (row.room, None if row.area_m2 is None else Decimal(row.area_m2).quantize(Decimal("0.01")))


def _what_to_do(ret: SchoolReturn) -> str:
    return _(
        "%(school)s在本批次的填报%(status)s，不能通过导入修改。"
        "请恢复原值或删除该校的行；确需修改的，请联系教体局退回该填报后再导入。"
    ) % {
        "school": ret.school.name,
        "status": ret.get_status_display(),
    }


def locked_changes(
    *,
    ret: SchoolReturn,
    values: dict[str, Any],
    row: int,
    classes: list[tuple[int | None, ClassRow]] | None,
    rooms: list[tuple[int | None, RoomRow]] | None,
) -> list[Change]:
    """What the file would change in a submitted or approved return. `values` are the parsed cells of its row in
    the returns table (absent columns are absent keys); `classes` / `rooms` are its rows in those tables, or None
    when the file has no such table (the lists are then kept, so they cannot differ)."""
    changes = []
    advice = _what_to_do(ret)
    for field in FIGURE_FIELDS:
        if field not in values:
            continue
        new, old = _stored_precision(field, values[field]), _stored_precision(field, getattr(ret, field))
        if new != old:
            message = _("文件中为“%(new)s”，系统中为“%(old)s”。") % {"new": _shown(new), "old": _shown(old)}
            changes.append(Change("returns", message + advice, row=row, column_key=field))
    if classes is not None:
        changes += _list_changes("classes", classes, return_class_rows(ret), _class_key, advice)
    if rooms is not None:
        changes += _list_changes("rooms", rooms, return_room_rows(ret), _room_key, advice)
    return changes


def _list_changes(table: str, given, stored, key, advice: str) -> list[Change]:
    remaining = Counter(key(r) for r in stored)
    changes = []
    for number, row in given:
        k = key(row)
        if remaining[k] > 0:
            remaining[k] -= 1
        else:
            changes.append(Change(table, _("系统中没有这一行。") + advice, row=number))
    missing = sum(remaining.values())
    if missing:
        message = _("系统中有%(n)s行不在文件中。") % {"n": missing}
        changes.append(Change(table, message + advice))
    return changes
