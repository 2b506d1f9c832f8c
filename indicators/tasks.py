"""Celery adapters: ids in, one service call, retries and limits here."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,
)
def recompute_round(self, round_id: int) -> dict:
    return services.recompute_round(round_id=round_id)


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def recompute_all_open_years() -> list:
    """Nightly safety net: recompute every round whose stored results are stale."""
    return services.recompute_stale_rounds()
