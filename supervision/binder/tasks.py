"""The build task: a thin adapter around services.binder_build (ids in; acks late; transient errors retried; a binder
held by another live process is retried later, so a duplicated task waits instead of building twice)."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=services.TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=3,
)
def build_binder(self, binder_id: int) -> str:
    try:
        return services.binder_build(binder_id=binder_id, final_attempt=self.request.retries >= self.max_retries)
    except services.BinderBusy as busy:
        raise self.retry(countdown=busy.retry_in, max_retries=100) from None
