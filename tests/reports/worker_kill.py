"""Kill a real Celery worker while it renders a report, start it again, and check the outcome (SECURITY.md row 13).

Used by the integration test (3 runs) and bench/bench_report_kill.py (20 runs). The worker consumes a queue of its
own, so the CI worker on the default queue never takes these tasks; it runs with a short broker visibility timeout
(CELERY_VISIBILITY_TIMEOUT) so the message of a worker killed outright comes back within seconds instead of an hour.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 6


WORKER = """
import sys
from gongqing.celery import app
# A short visibility timeout and a restore scan every second, so the message of a killed worker comes back in seconds
# (production: 3600 s, scanned every 10 × 10 s).
app.conf.broker_transport_options = {
    "visibility_timeout": %(visibility)d,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
# The job sweep at worker start (gongqing.jobs) sends the killed render again: to this worker's own queue, not to the
# default queue another worker (the CI worker, with another media folder) would take it from.
app.conf.task_default_queue = %(queue)r
app.worker_main(sys.argv[1:])
"""


def start_worker(*, queue: str, media_root: str) -> subprocess.Popen:
    env = {**os.environ, "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY), "MEDIA_ROOT": media_root}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    args = ["worker", "-Q", queue, "-c", "1", "--pool", "prefork", "-l", "warning", "-n", f"{queue}@%h"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(
        [sys.executable, "-c", WORKER % {"visibility": VISIBILITY, "queue": queue}, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def wait_for(report_id: int, statuses: set[str], *, seconds: float) -> str:
    from supervision.reports.models import Report

    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = Report.objects.filter(pk=report_id).values_list("status", flat=True).first() or ""
        if status in statuses:
            return status
        time.sleep(0.2)
    raise AssertionError(f"report {report_id} stayed {status!r}, wanted {sorted(statuses)} within {seconds} s")


def kill_while_rendering(
    *, report_id: int, media_root: str, delay: float, early: bool = False, timeout: float = 180
) -> dict:
    """Send the task to a fresh queue, kill the worker `delay` seconds after it claimed the report (or, `early`,
    `delay` seconds after it was started: perhaps before it took the message), restart it, wait until the report
    is done; returns what happened."""
    from supervision.reports import tasks
    from supervision.reports.models import Report

    queue = f"reports-kill-{uuid.uuid4().hex[:8]}"
    tasks.render_report.apply_async((report_id,), queue=queue)
    worker = start_worker(queue=queue, media_root=media_root)
    try:
        seen = "-" if early else wait_for(report_id, {"rendering", "done"}, seconds=timeout)
        time.sleep(delay)
        before = Report.objects.filter(pk=report_id).values_list("status", flat=True).first()
    finally:
        kill(worker)
    worker = start_worker(queue=queue, media_root=media_root)
    try:
        started = time.monotonic()
        final = wait_for(report_id, {"done", "failed"}, seconds=timeout)
        recovery = time.monotonic() - started
    finally:
        kill(worker)
    report = Report.objects.get(pk=report_id)
    folder = Path(media_root) / Path(report.file.name).parent if report.file else Path(media_root)
    pdfs = sorted(p.name for p in folder.glob(f"*-r{report_id}.pdf"))
    return {
        "first_seen": seen,
        "status_at_kill": before,
        "final": final,
        "attempts": report.attempts,
        "files": pdfs,
        "recovery_s": round(recovery, 1),
        "error": report.error,
    }
