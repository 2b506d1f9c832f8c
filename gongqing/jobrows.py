"""One model's job rows under the lease protocol of gongqing.jobs: the stage reports and the evidence binder.

A job row (fields `status`, `claim`, `lease_until`, `attempts`, `started_at`, `finished_at`, `progress`,
`progress_note`, `error`, `sent_at`, `resumed_at`, `requested_at`) goes queued → running → done or failed. Every step
here is one conditional UPDATE, so two workers, a redelivered message or a sweep never both act on a row:

- `claim` takes a queued row, or a running one whose lease lapsed or whose holder process is gone; it raises the
  job's Busy exception while a live process holds it (the task retries later instead of working twice);
- `progress`, `renew`, `fail` and `release` act only while the caller still holds the claim (`mine`);
- `retry` queues a failed row again; `enqueue` sends the task and notes when; `sweep` is jobs.sweep_model's.

Storing the result is each job's own (its files differ); it too must be conditional on `mine`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import audit, jobs

log = logging.getLogger(__name__)

ERROR_CHARS = 2000
# A duplicate of a job held by a live process looks again this often (cheap: one conditional UPDATE).
BUSY_RETRY_SECONDS = 10


class Busy(Exception):
    """Another live process holds the job; try again after `retry_in` seconds."""

    what = "job"

    def __init__(self, retry_in: int):
        super().__init__(f"{self.what} busy, retry in {retry_in} s")
        self.retry_in = retry_in


def lease_seconds() -> int:
    """A run's lease: renewed every few seconds while it runs (jobs.Lease), so a lost worker's job is taken up by the
    sweep within minutes. Eager (no worker) the lease outlives the task's hard time limit instead."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 900)) + 60
    return jobs.LEASE_SECONDS


@dataclass(frozen=True)
class JobRows:
    model: type
    queued: str
    running: str
    failed: str
    task: str  # the Celery task's name, called with the row's id
    kind: str  # what the job is, in logs and audit actions: "report" → report.failed, report.retry
    busy: type[Busy]
    related: tuple[str, ...] = ()  # what the worker reads with the claimed row

    def _lease(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(seconds=lease_seconds())

    def claim(self, pk: int, token: str):
        """The row taken for running, or None when there is nothing to do (done, failed, gone)."""
        now = timezone.now()
        fields = {
            "status": self.running,
            "claim": token,
            "lease_until": self._lease(),
            "attempts": F("attempts") + 1,
            "started_at": now,
            "progress": 5,
            "progress_note": "claimed",
        }
        rows = self.model.objects
        if rows.filter(pk=pk, status=self.queued).update(**fields):
            return self._claimed(pk)
        row = rows.filter(pk=pk).values("status", "claim", "lease_until").first()
        if row is None:
            log.info("%s %s skipped: the %s no longer exists", self.kind, pk, self.kind)
            return None
        if row["status"] != self.running:
            return None
        expired = row["lease_until"] is None or row["lease_until"] < now
        if not (expired or jobs.holder_is_gone(row["claim"])):
            wait = max(5, int((row["lease_until"] - now).total_seconds()) + 1)
            raise self.busy(min(wait, BUSY_RETRY_SECONDS))
        if not rows.filter(pk=pk, status=self.running, claim=row["claim"]).update(**fields):
            return None
        log.warning("%s %s: took over from %s (lease lapsed or holder gone)", self.kind, pk, row["claim"])
        return self._claimed(pk)

    def _claimed(self, pk: int):
        found = self.model.objects.select_related(*self.related).filter(pk=pk).first()
        if found is None:  # deleted between the claim and this read
            log.info("%s %s skipped: the %s no longer exists", self.kind, pk, self.kind)
        return found

    def mine(self, pk: int, token: str):
        return self.model.objects.filter(pk=pk, status=self.running, claim=token)

    def progress(self, pk: int, token: str, percent: int, note: str = "") -> bool:
        return bool(self.mine(pk, token).update(progress=percent, progress_note=note[:80]))

    def renew(self, pk: int, token: str) -> bool:
        """Extend the lease of a run this process holds; False once it holds it no more."""
        return bool(self.mine(pk, token).update(lease_until=self._lease()))

    def fail(self, pk: int, token: str, error: str) -> bool:
        done = self.mine(pk, token).update(
            status=self.failed, error=error[:ERROR_CHARS], finished_at=timezone.now(), claim="", lease_until=None
        )
        if done:
            audit.record(action=f"{self.kind}.failed", obj=self.model(pk=pk), result="error", error=error[:200])
        return bool(done)

    def release(self, pk: int, token: str) -> bool:
        """Give the row back to the queue (before a retry after a transient error)."""
        return bool(self.mine(pk, token).update(status=self.queued, claim="", lease_until=None, progress=0))

    def retry(self, obj, *, by, request=None):
        """Queue a failed row again (same version); one that is not failed is left as it is."""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    n = self.model.objects.filter(pk=obj.pk, status=self.failed).update(
                        status=self.queued, progress=0, progress_note="", error="", claim="", lease_until=None
                    )
            except IntegrityError:  # another run of the same scope is active: that one stands
                n = 0
            if n:
                audit.record(action=f"{self.kind}.retry", user=by, request=request, obj=obj)
                transaction.on_commit(lambda: self.enqueue(obj.pk))
        obj.refresh_from_db()
        return obj

    def enqueue(self, pk: int) -> bool:
        """Send the task and note when; with the broker away the row stays queued and the sweep sends it."""
        sent = jobs.send(self.task, (pk,))
        if sent:
            self.model.objects.filter(pk=pk, status=self.queued).update(sent_at=timezone.now())
        return sent

    def sweep(self, now: datetime.datetime) -> int:
        """Take up runs whose worker was lost and send queued rows the broker never got (jobs.sweep_model)."""
        return jobs.sweep_model(
            self.model, running=self.running, queued=self.queued, task=self.task, enqueue=self.enqueue, now=now
        )
