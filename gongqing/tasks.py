"""Celery adapters of the shared core."""

from celery import shared_task

from . import refusals


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def flush_refusals() -> int:
    """Every minute: write the summary row of each refusal window whose minute has closed (gongqing.refusals)."""
    return refusals.flush_closed()
