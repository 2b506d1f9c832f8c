"""The render task: a thin adapter around services.report_render.

Ids in, never model instances. acks_late + reject_on_worker_lost (settings) put the message back when the worker
dies mid-render; the claim in the service makes the re-run safe. Only transient database errors are retried
automatically; any other error marks the report failed with its message (the page offers a retry). A report held by
another live process is retried later (ReportBusy), so a duplicated task waits instead of rendering twice.
"""

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
def render_report(self, report_id: int) -> str:
    try:
        return services.report_render(report_id=report_id, final_attempt=self.request.retries >= self.max_retries)
    except services.ReportBusy as busy:
        raise self.retry(countdown=busy.retry_in, max_retries=100) from None
