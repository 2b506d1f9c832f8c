"""Reminders to a township's officials to fill a round's returns: at most one per township and round within a day,
worded for a round still running or already overdue.

The reminders sent are the audit log's `round.remind` events (kept at least 180 days), so no table of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import audit
from gongqing.models import AuditEvent, Notice

from . import access
from .models import CollectionRound, Township

REMIND_ACTION = "round.remind"
QUIET_PERIOD = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Reminded:
    sent: bool
    recipients: int = 0
    last_at: datetime.datetime | None = None  # when the previous reminder went, if this one was not sent


def last_reminders(*, round: CollectionRound) -> dict[str, datetime.datetime]:
    """Township name → when its officials were last reminded of this round (one query)."""
    events = AuditEvent.objects.filter(
        action=REMIND_ACTION, object_type=CollectionRound._meta.label_lower, object_id=str(round.pk), result="ok"
    ).values_list("detail__township", "at")
    last: dict[str, datetime.datetime] = {}
    for name, at in events:
        if name and (name not in last or at > last[name]):
            last[name] = at
    return last


def may_remind(last_at: datetime.datetime | None, *, now: datetime.datetime | None = None) -> bool:
    return last_at is None or (now or timezone.now()) - last_at >= QUIET_PERIOD


def reminder_text(*, round: CollectionRound, today: datetime.date) -> str:
    overdue = (today - round.due_date).days
    if overdue > 0:
        return _("%(round)s的学校数据填报已逾期 %(days)s 天（截止日期%(due)s），请尽快完成。") % {
            "round": round,
            "days": overdue,
            "due": round.due_date,
        }
    return _("请于%(due)s前完成%(round)s的学校数据填报。") % {"due": round.due_date, "round": round}


def round_remind(*, round: CollectionRound, township: Township, by, request=None) -> Reminded:
    """Send the township's active officials a notice, unless one went to them for this round within a day."""
    with transaction.atomic():
        # Two clicks at once queue here: the second sees the first's audit row.
        CollectionRound.objects.select_for_update().filter(pk=round.pk).first()
        last_at = last_reminders(round=round).get(township.name)
        if not may_remind(last_at):
            return Reminded(sent=False, last_at=last_at)
        officials = list(access.township_officials(township))
        text = reminder_text(round=round, today=timezone.localdate())
        link = reverse("schools:round_board", args=[round.pk])
        Notice.objects.bulk_create([Notice(user=u, text=text, link=link) for u in officials])
        audit.record(
            action=REMIND_ACTION, user=by, request=request, obj=round, township=township.name, recipients=len(officials)
        )
    return Reminded(sent=True, recipients=len(officials))
