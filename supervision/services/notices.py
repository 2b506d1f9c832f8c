"""The daily overdue notices: the lead body's people once, the leadership group's office after 30 days."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongqing.models import Notice, User

from .. import access, selectors
from ..models import (
    BodyRole,
    NoticeKind,
    OverdueNoticeLog,
    RectificationItem,
)

ESCALATE_AFTER_DAYS = 30


def overdue_notices_send(*, on: datetime.date | None = None) -> dict[str, int]:
    """Notify the lead body's people once when an item misses its due date, and the leadership group's office (the
    bureau) once when it is more than 30 days overdue. A log row per (item, kind, due date) claims each notice, so
    running the job twice, or twice at once, sends nothing more."""
    on = on or selectors.today()
    finished = selectors.finished_cycles(on=on)
    items = list(
        RectificationItem.objects.filter(selectors.overdue_q(on=on, finished=finished))
        .select_related("school")
        .prefetch_related(selectors.ASSIGNMENTS)
    )
    leads = {a.body_id: a.body for i in items for a in i.assignments.all() if a.role == BodyRole.LEAD}
    people = access.body_users(list(leads.values()))
    office = list(access.bureau_users())
    counts = {"overdue": 0, "escalated": 0, "notices": 0}
    for item in items:
        owners = {u.pk: u for a in item.assignments.all() if a.role == BodyRole.LEAD for u in people[a.body_id]}
        days = (on - item.due_date).days
        text = _("整改任务已逾期%(days)s天：%(title)s（时限 %(due)s）") % {
            "days": days,
            "title": item.title,
            "due": item.due_date.isoformat(),
        }
        counts["notices"] += _notify_once(item, NoticeKind.OVERDUE, on, list(owners.values()), text)
        counts["overdue"] += 1
        if days > ESCALATE_AFTER_DAYS:
            text = _("【领导小组办公室】整改任务逾期超过30天：%(title)s（已逾期%(days)s天）") % {
                "title": item.title,
                "days": days,
            }
            counts["notices"] += _notify_once(item, NoticeKind.ESCALATED, on, office, text)
            counts["escalated"] += 1
    return counts


def _notify_once(item, kind: str, on: datetime.date, users: list[User], text: str) -> int:
    from django.urls import reverse

    try:
        with transaction.atomic():
            OverdueNoticeLog.objects.create(item=item, kind=kind, due_date=item.due_date, sent_on=on)
            link = reverse("supervision:item", kwargs={"pk": item.pk})
            Notice.objects.bulk_create([Notice(user=u, text=text[:500], link=link) for u in users])
    except IntegrityError:
        return 0
    return len(users)
