"""Celery adapters: ids in, one service call, idempotent."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def sync_ledger(round_id: int | None = None, school_ids: list[int] | None = None) -> dict:
    return services.ledger_sync(round_id=round_id, school_ids=school_ids)


@shared_task(acks_late=True)
def send_overdue_notices() -> dict:
    return services.overdue_notices_send()
