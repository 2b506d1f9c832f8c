"""Celery adapters of the shared core."""

from celery import shared_task
from celery.signals import worker_ready

from . import jobs, refusals


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def flush_refusals() -> int:
    """Every minute: write the summary row of each refusal window whose minute has closed (gongqing.refusals)."""
    return refusals.flush_closed()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def sweep_jobs() -> dict:
    """Every minute (and when a worker starts): take up jobs of lost workers, send jobs the broker never got."""
    return jobs.sweep()


def _sweep_on_worker_ready(sender=None, **kwargs):
    """A restarted worker takes up what its killed predecessor held, without waiting for beat or the broker."""
    from django.db import connections

    try:
        jobs.sweep()
    finally:
        connections.close_all()


# A module-level function, held strongly anyway: a receiver collected by the garbage collector never fires.
worker_ready.connect(_sweep_on_worker_ready, weak=False, dispatch_uid="gongqing-sweep-on-worker-ready")
