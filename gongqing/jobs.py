"""Background jobs that survive a lost worker and a broker that is away for a while.

A job whose row says it is running holds a *lease*: `lease_until` on the row, renewed from a small thread while the
work goes on (`Lease`), and a *claim* naming the process (`new_token`). When a worker dies as a whole, its messages
come back from the broker only after the visibility timeout; the rows tell sooner. The *sweep* (`sweep()`, run when
a worker starts and by beat every minute: gongqing.tasks.sweep_jobs) asks every registered sweeper to put such jobs
back — a lapsed lease, or a holder that was a process of this machine and runs no more — and to send again the
queued jobs whose message was never sent (the broker was down) or is overdue (the broker lost it). Sweepers use the
same conditional UPDATE that prevents double work, so a job is taken up once however many sweeps run at once, and a
message sent twice finds the job taken or done and does nothing.

`send()` never raises when the broker is down: the job stays queued in the database and a later sweep sends it.
Apps register their sweepers in `AppConfig.ready()` (a lower app never imports a higher one).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connections

from . import queue

log = logging.getLogger(__name__)

LEASE_SECONDS = 120  # a running job's lease, renewed every RENEW_SECONDS while it runs
RENEW_SECONDS = 30
OVERDUE_SECONDS = 120  # a queued job sent this long ago and still not taken is sent again
UNSENT_SECONDS = 30  # a queued job never sent (the broker was away) is sent once it is this old

SWEEPERS: dict[str, Callable[[datetime.datetime], int]] = {}


def lease_delta() -> datetime.timedelta:
    return datetime.timedelta(seconds=LEASE_SECONDS)


def overdue_delta() -> datetime.timedelta:
    return datetime.timedelta(seconds=OVERDUE_SECONDS)


def unsent_delta() -> datetime.timedelta:
    return datetime.timedelta(seconds=UNSENT_SECONDS)


# --- Sending ------------------------------------------------------------------------------------------------------


def send(task_name: str, args: tuple = (), *, countdown: float | None = None) -> bool:
    """Send the task; False (logged, never raised) when the broker cannot be reached.

    Eager (no broker): the task runs here and its errors propagate, as `.delay()` would.
    """
    task = queue.task(task_name)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.apply_async(args)
        return True
    try:
        task.apply_async(args, countdown=countdown)  # Celery's publish retry policy: about a second in all
    except Exception as exc:  # kombu's OperationalError, redis' ConnectionError, OSError: the broker is away
        log.warning("could not send %s%r (%s: %s); the sweep sends it later", task_name, args, type(exc).__name__, exc)
        return False
    return True


# --- Claims and leases --------------------------------------------------------------------------------------------


def _proc_start(pid: int) -> str | None:
    """The start time of a process (clock ticks since boot) from /proc, or None where it does not run."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # a zombie (killed, not yet reaped) runs no more
        return None
    return fields[19]


def new_token() -> str:
    """A claim naming this process: host, pid, the process's start time, a nonce."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_proc_start(pid) or '-'}:{uuid.uuid4().hex[:8]}"


def holder_is_gone(token: str) -> bool:
    """True when the claim was made by a process of this machine that no longer runs (a killed worker)."""
    try:
        host, pid, start, _nonce = token.rsplit(":", 3)
    except ValueError:
        return False
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return _proc_start(int(pid)) != start


def lapsed(*, claim: str, lease_until: datetime.datetime | None, now: datetime.datetime) -> bool:
    """A running job whose holder no longer holds it: the lease ran out, or the holder process is gone."""
    return lease_until is None or lease_until < now or holder_is_gone(claim)


class Lease:
    """Renew a job's lease every `every` seconds from a daemon thread while the block runs.

    `renew()` returns False once the job is no longer ours (taken over, deleted): the thread stops. The thread's
    database connection is its own and is closed when it ends. Nothing runs in eager mode (no worker to lose).
    """

    def __init__(self, renew: Callable[[], bool], *, every: float = RENEW_SECONDS):
        self.renew = renew
        self.every = every
        self.renewals = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self._thread = threading.Thread(target=self._run, name="job-lease", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return False

    def _run(self):
        try:
            while not self._stop.wait(self.every):
                try:
                    if not self.renew():
                        return
                    self.renewals += 1
                except Exception:
                    log.warning("lease renewal failed; trying again in %s s", self.every, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections only


# --- The sweep ----------------------------------------------------------------------------------------------------


def sweep_model(
    model, *, running: str, queued: str, task: str, enqueue: Callable[[int], bool], now: datetime.datetime
) -> int:
    """Take up a job model's lapsed runs and send its queued jobs the broker never got or lost.

    The model has the job fields (`status`, `claim`, `lease_until`, `progress`, `progress_note`, `resumed_at`,
    `sent_at`, `requested_at`): the stage reports and the evidence binder. A lapsed run goes back to the queue with
    `resumed_at` set (the page says when it was taken up again) by a conditional UPDATE on its claim, so two sweeps
    never both take it; a queued one is sent again by a conditional UPDATE on `sent_at`. A message sent twice finds
    the job taken or done and does nothing.
    """
    from django.db.models import Q

    n = 0
    for pk, claim, lease_until in model.objects.filter(status=running).values_list("pk", "claim", "lease_until"):
        if not lapsed(claim=claim, lease_until=lease_until, now=now):
            continue
        taken = model.objects.filter(pk=pk, status=running, claim=claim).update(
            status=queued,
            claim="",
            lease_until=None,
            progress=0,
            progress_note="resumed",
            resumed_at=now,
            sent_at=now,
        )
        if taken:
            log.warning("%s %s: its worker was lost (claim %s); queued again", model.__name__, pk, claim)
            n += enqueue(pk)
    waiting = model.objects.filter(status=queued).filter(
        Q(sent_at__isnull=True, requested_at__lt=now - unsent_delta()) | Q(sent_at__lt=now - overdue_delta())
    )
    for pk, sent_at in waiting.values_list("pk", "sent_at"):
        if model.objects.filter(pk=pk, status=queued, sent_at=sent_at).update(sent_at=now):
            n += send(task, (pk,))
    return n


def register_sweeper(name: str, sweeper: Callable[[datetime.datetime], int]) -> None:
    """`sweeper(now)` puts back the app's lapsed jobs, sends its unsent or overdue ones, and returns how many."""
    SWEEPERS[name] = sweeper


def sweep() -> dict[str, int]:
    """Run every sweeper; one failing does not stop the others. Returns jobs taken up or sent, per sweeper."""
    from django.utils import timezone

    now = timezone.now()
    done = {}
    for name, sweeper in SWEEPERS.items():
        try:
            done[name] = sweeper(now)
        except Exception:
            log.exception("job sweep %s failed", name)
            done[name] = -1
    if any(done.values()):
        log.info("job sweep: %s", done)
    return done
