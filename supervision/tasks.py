"""Celery adapters: ids in, one service call, idempotent."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def sync_ledger() -> dict:
    return services.ledger_sync()


@shared_task(acks_late=True)
def send_overdue_notices() -> dict:
    return services.overdue_notices_send()
