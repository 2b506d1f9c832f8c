"""The change history of a school's returns: who, when, field, old → new. Reads in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


def school_history(*, school, limit: int = 500, returns=None) -> list[Change]:
    """`returns`: the school's returns with their rounds when the caller has read them (the school page has)."""
    if returns is None:
        returns = SchoolReturn.objects.filter(school=school).select_related("round__school_year")
    returns = {r.pk: r for r in returns}
    changes: list[Change] = []
    tracked = (*FIGURE_FIELDS, "status", "review_comment")
    status_labels = dict(ReturnStatus.choices)
    records = SchoolReturn.history.filter(id__in=returns).select_related("history_user").order_by("id", "history_date")
    previous: dict[int, object] = {}
    for rec in records:
        before = previous.get(rec.id)
        previous[rec.id] = rec
        round_name = str(returns[rec.id].round) if rec.id in returns else ""
        who = str(rec.history_user) if rec.history_user else _("系统")
        if before is None:
            changes.append(Change(rec.history_date, who, round_name, _("填报"), "—", _("创建")))
            continue
        for field in tracked:
            old, new = getattr(before, field), getattr(rec, field)
            if old != new:
                name = _("状态") if field == "status" else _("审核意见") if field == "review_comment" else label(field)
                if field == "status":
                    old, new = status_labels.get(old, old), status_labels.get(new, new)
                changes.append(Change(rec.history_date, who, round_name, name, _fmt(old), _fmt(new)))
    changes += _row_changes(ReturnClass, returns, lambda r: f"{_('班级')} {r.name}", lambda r: f"{r.students}{_('人')}")
    changes += _row_changes(
        ReturnRoom,
        returns,
        lambda r: str(dict(ReturnRoom._meta.get_field("room").choices)[r.room]),
        lambda r: f"{_fmt(r.area_m2)} m²",
    )
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


def _row_changes(model, returns, name_of, value_of) -> list[Change]:
    out = []
    records = (
        model.history.filter(school_return_id__in=list(returns))
        .select_related("history_user")
        .order_by("id", "history_date")
    )
    previous = {}
    for rec in records:
        before = previous.get(rec.id)
        previous[rec.id] = rec
        ret = returns.get(rec.school_return_id)
        round_name = str(ret.round) if ret else ""
        who = str(rec.history_user) if rec.history_user else _("系统")
        if rec.history_type == "+":
            out.append(Change(rec.history_date, who, round_name, name_of(rec), "—", value_of(rec)))
        elif rec.history_type == "-":
            out.append(Change(rec.history_date, who, round_name, name_of(rec), value_of(rec), _("删除")))
        elif before is not None and value_of(before) != value_of(rec):
            out.append(Change(rec.history_date, who, round_name, name_of(rec), value_of(before), value_of(rec)))
    return out


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
