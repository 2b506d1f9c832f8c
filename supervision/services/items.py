"""Items added and scheduled by hand."""

from __future__ import annotations

import uuid

from django.db import transaction

from gongqing import audit
from schools.models import School

from ..models import (
    Body,
    BodyRole,
    ItemBody,
    ItemKind,
    RectificationItem,
)
from .changes import record_change


def item_create(
    *, title: str, target: str, school: School | None, lead: Body, cooperating, stage, due_date, by, request=None
) -> RectificationItem:
    """An item added by hand (e.g. from a review finding); it closes when its work is accepted."""
    with transaction.atomic():
        item = RectificationItem(
            key=f"manual:{uuid.uuid4().hex}",
            kind=ItemKind.MANUAL,
            school=school,
            title=title,
            target=target,
            stage=stage,
            due_date=due_date,
            created_by=by,
        )
        item._history_user = by
        item.save()
        ItemBody.objects.create(item=item, body=lead, role=BodyRole.LEAD)
        ItemBody.objects.bulk_create(
            [ItemBody(item=item, body=b, role=BodyRole.COOPERATING) for b in cooperating if b.pk != lead.pk]
        )
        audit.record(action="supervision.item_create", user=by, request=request, obj=item)
    return item


def item_schedule(*, item: RectificationItem, stage, due_date, target: str, by, request=None) -> None:
    with transaction.atomic():
        old = _schedule(item)
        item.stage, item.due_date, item.target = stage, due_date, target
        item._history_user = by
        item.save(update_fields=["stage", "due_date", "target"])
        new = _schedule(item)
        record_change(action="supervision.item_schedule", by=by, request=request, obj=item, old=old, new=new)


def _schedule(item: RectificationItem) -> dict:
    return {"stage": item.stage_id, "due_date": str(item.due_date or ""), "target": item.target}
