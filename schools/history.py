"""The change history of a school's returns: who, when, field, old → new. Reads in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import DecimalField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from .models import FIGURE_FIELDS, ReturnClass, ReturnRoom, ReturnStatus, SchoolReturn
from .validation import label


@dataclass(frozen=True)
class Change:
    at: datetime
    user: str
    round: str
    field: str
    old: str
    new: str


def _fmt(value) -> str:
    return "—" if value is None or value == "" else str(value)


TRACKED = (*FIGURE_FIELDS, "status", "review_comment")
RETURN, CLASS, ROOM = 0, 1, 2
# The columns each kind of record fills (the others are typed NULLs): the return's tracked fields, a class's name and
# pupils, a room's kind and area.
_OWN_COLUMNS = {
    RETURN: {f"f_{name}": (SchoolReturn, name) for name in TRACKED},
    CLASS: {"class_name": (ReturnClass, "name"), "class_students": (ReturnClass, "students")},
    ROOM: {"room_kind": (ReturnRoom, "room"), "room_area": (ReturnRoom, "area_m2")},
}
_DECIMAL_PLACES = {
    column: model._meta.get_field(name).decimal_places
    for columns in _OWN_COLUMNS.values()
    for column, (model, name) in columns.items()
    if isinstance(model._meta.get_field(name), DecimalField)
}


def _records(kind: int, queryset):
    """One kind's history records as rows of the common columns (`_history_rows`' union)."""
    columns = {
        "h_kind": Value(kind, output_field=IntegerField()),
        "h_object": F("id"),
        "h_return": F("id") if kind == RETURN else F("school_return_id"),
        "h_at": F("history_date"),
        "h_pk": F("history_id"),
        "h_type": F("history_type"),
        "h_user": F("history_user_id"),
        "h_username": F("history_user__username"),
        "h_full_name": F("history_user__full_name"),
    }
    for own, own_columns in _OWN_COLUMNS.items():
        for column, (model, name) in own_columns.items():
            field = model._meta.get_field(name)
            columns[column] = F(name) if own == kind else Cast(Value(None), output_field=field.clone())
    return queryset.order_by().values(**columns)


def _history_rows(returns) -> list[dict]:
    """The history of the returns, their classes and their rooms in one query, as the three readings did: by kind
    (returns, classes, rooms), then by object and time."""
    ids = list(returns)
    union = _records(RETURN, SchoolReturn.history.filter(id__in=ids)).union(
        _records(CLASS, ReturnClass.history.filter(school_return_id__in=ids)),
        _records(ROOM, ReturnRoom.history.filter(school_return_id__in=ids)),
        all=True,
    )
    rows = list(union)
    for row in rows:
        for column, places in _DECIMAL_PLACES.items():  # as each model field reads them (the union's types vary)
            if row[column] is not None:
                row[column] = Decimal(row[column]).quantize(Decimal(1).scaleb(-places))
    rows.sort(key=lambda r: (r["h_kind"], r["h_object"], r["h_at"], r["h_pk"]))
    return rows


def _who(row) -> str:
    if row["h_user"] is None or row["h_username"] is None:
        return _("系统")
    return row["h_full_name"] or row["h_username"]


def school_history(*, school, limit: int = 500, returns=None) -> list[Change]:
    """`returns`: the school's returns with their rounds when the caller has read them (the school page has)."""
    if returns is None:
        returns = SchoolReturn.objects.filter(school=school).select_related("round__school_year")
    returns = {r.pk: r for r in returns}
    status_labels = dict(ReturnStatus.choices)
    room_labels = dict(ReturnRoom._meta.get_field("room").choices)
    describe = {
        CLASS: (lambda r: f"{_('班级')} {r['class_name']}", lambda r: f"{r['class_students']}{_('人')}"),
        ROOM: (lambda r: str(room_labels[r["room_kind"]]), lambda r: f"{_fmt(r['room_area'])} m²"),
    }
    changes: list[Change] = []
    previous: dict[tuple[int, int], dict] = {}
    for rec in _history_rows(returns):
        key = (rec["h_kind"], rec["h_object"])
        before = previous.get(key)
        previous[key] = rec
        ret = returns.get(rec["h_return"])
        round_name = str(ret.round) if ret else ""
        who, at = _who(rec), rec["h_at"]
        if rec["h_kind"] == RETURN:
            if before is None:
                changes.append(Change(at, who, round_name, _("填报"), "—", _("创建")))
                continue
            for field in TRACKED:
                old, new = before[f"f_{field}"], rec[f"f_{field}"]
                if old != new:
                    name = (
                        _("状态") if field == "status" else _("审核意见") if field == "review_comment" else label(field)
                    )
                    if field == "status":
                        old, new = status_labels.get(old, old), status_labels.get(new, new)
                    changes.append(Change(at, who, round_name, name, _fmt(old), _fmt(new)))
            continue
        name_of, value_of = describe[rec["h_kind"]]
        if rec["h_type"] == "+":
            changes.append(Change(at, who, round_name, name_of(rec), "—", value_of(rec)))
        elif rec["h_type"] == "-":
            changes.append(Change(at, who, round_name, name_of(rec), value_of(rec), _("删除")))
        elif before is not None and value_of(before) != value_of(rec):
            changes.append(Change(at, who, round_name, name_of(rec), value_of(before), value_of(rec)))
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


@dataclass(frozen=True)
class Edit:
    """The changes one person saved at one moment to one round's return: one line of the school page's log."""

    at: datetime
    user: str
    round: str
    changes: tuple[Change, ...]


def group_edits(changes: list[Change]) -> list[Edit]:
    """Group newest-first changes by (minute, user, round); a return with 30 classes is then one line, not 30."""
    edits: list[Edit] = []
    key = None
    batch: list[Change] = []
    for c in changes:
        k = (c.at.replace(second=0, microsecond=0), c.user, c.round)
        if k != key and batch:
            edits.append(Edit(batch[0].at, batch[0].user, batch[0].round, tuple(batch)))
            batch = []
        key = k
        batch.append(c)
    if batch:
        edits.append(Edit(batch[0].at, batch[0].user, batch[0].round, tuple(batch)))
    return edits
