"""Celery adapters of the survey."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def mark_survey_stale(year: int) -> None:
    """The trailing edge of the coalesced stale mark for online answers (services.results_stale_coalesced)."""
    services.results_stale(year=year)
