"""Writes of the reports: the narrative draft, render requests, retries, and the worker's claim → render → store.

Requests are create-or-return-existing: under a lock on the stage's draft row, a request finds a queued or rendering
report of the same stage, round and narrative revision and returns it; otherwise it creates the next version. A
partial unique constraint (one active render per stage, round and revision) backs this up where no row lock exists.

The worker claims a report with a conditional UPDATE (queued → rendering, stamped with a claim naming the process and
a lease), so a duplicated, retried or redelivered task never renders twice into one version. A report still marked
rendering is taken over only when its holder is gone: its lease has lapsed (it outlives the task's hard time limit),
or it was held by a process on this machine that no longer exists (a killed worker). Every later write is
conditional on the claim. The file name is fixed by the report's version, written to a temporary name and moved into
place, so one version has exactly one file whatever happens.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from gongqing import audit, jobrows, jobs
from gongqing.audit_changes import value_text
from schools.models import CollectionRound
from supervision.models import Stage

from . import context, rendering
from .models import ACTIVE, NARRATIVE_FIELDS, Report, ReportDraft, ReportStatus

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)
RENDER_TASK = "supervision.reports.tasks.render_report"  # tasks.render_report, which calls report_render below


class ReportBusy(jobrows.Busy):
    """Another live process holds the report; try again after `retry_in` seconds."""

    what = "report"


ROWS = jobrows.JobRows(
    model=Report,
    queued=ReportStatus.QUEUED,
    running=ReportStatus.RENDERING,
    failed=ReportStatus.FAILED,
    task=RENDER_TASK,
    kind="report",
    busy=ReportBusy,
    related=("stage", "stage__cycle", "round", "round__school_year"),
)


# --- The narrative ------------------------------------------------------------------------------------------------


def draft_for(*, stage: Stage) -> ReportDraft:
    draft, _created = ReportDraft.objects.get_or_create(stage=stage)
    return draft


def draft_save(*, stage: Stage, data: dict, by, request=None) -> ReportDraft:
    """Save the narrative; a change makes a new revision (a render request with it is a new job)."""
    with transaction.atomic():
        draft_for(stage=stage)
        draft = ReportDraft.objects.select_for_update().get(stage=stage)
        changed = [f for f in NARRATIVE_FIELDS if f in data and getattr(draft, f) != data[f]]
        changes = {f: [value_text(getattr(draft, f)), value_text(data[f])] for f in changed}
        for f in changed:
            setattr(draft, f, data[f])
        if changed:
            draft.revision += 1
            draft.updated_by = by
            draft.save(update_fields=[*changed, "revision", "updated_by", "updated_at"])
        audit.record(action="report.draft_save", user=by, request=request, obj=draft, fields=changed, changes=changes)
    return draft


# --- Requests -----------------------------------------------------------------------------------------------------


def _active(stage: Stage, rnd: CollectionRound, revision: int) -> Report | None:
    return Report.objects.filter(stage=stage, round=rnd, draft_revision=revision, status__in=ACTIVE).first()


def _new_report(*, stage: Stage, rnd: CollectionRound, draft: ReportDraft, by) -> Report:
    """The next version's row for `stage` and `rnd`, frozen with the draft's narrative (caller holds the draft lock)."""
    version = (Report.objects.filter(stage=stage, round=rnd).aggregate(v=Max("version"))["v"] or 0) + 1
    return Report.objects.create(
        cycle=stage.cycle,
        stage=stage,
        school_year=rnd.school_year,
        round=rnd,
        version=version,
        draft_revision=draft.revision,
        narrative=draft.narrative(),
        title=context.report_title(county=context.CountyProfile.get().name, stage=stage),
        requested_by=by,
    )


def report_request(*, stage: Stage, round: CollectionRound, by, request=None) -> tuple[Report, bool]:
    """Queue a render of the stage's report from `round` with the current narrative; returns (report, created).

    While a render of the same stage, round and narrative is queued or running, that one is returned.
    """
    with transaction.atomic():
        draft_for(stage=stage)
        draft = ReportDraft.objects.select_for_update().get(stage=stage)
        found = _active(stage, round, draft.revision)
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                report = _new_report(stage=stage, rnd=round, draft=draft, by=by)
        except IntegrityError:
            found = _active(stage, round, draft.revision)
            if found is None:
                raise
            return found, False
        audit.record(action="report.request", user=by, request=request, obj=report, version=report.version)
        transaction.on_commit(lambda: enqueue(report.pk))
    return report, True


def report_retry(*, report: Report, by, request=None) -> Report:
    """Queue a failed report again (same version); a report that is not failed is left as it is."""
    return ROWS.retry(report, by=by, request=request)


def enqueue(report_id: int) -> bool:
    """Send the render task and note when; with the broker away the report stays queued and the sweep sends it."""
    return ROWS.enqueue(report_id)


def reports_sweep(now: datetime.datetime) -> int:
    """Take up renders whose worker was lost and send queued ones the broker never got (gongqing.jobs)."""
    return ROWS.sweep(now)


# --- The worker's side --------------------------------------------------------------------------------------------


new_token = jobs.new_token
holder_is_gone = jobs.holder_is_gone


def report_claim(*, report_id: int, token: str) -> Report | None:
    """Take the report for rendering, or None when there is nothing to do (done, failed, gone).

    Raises ReportBusy while another live process renders it.
    """
    return ROWS.claim(report_id, token)


def report_progress(*, report_id: int, token: str, percent: int, note: str = "") -> bool:
    return ROWS.progress(report_id, token, percent, note)


def report_fail(*, report_id: int, token: str, error: str) -> bool:
    return ROWS.fail(report_id, token, error)


def report_release(*, report_id: int, token: str) -> bool:
    """Give the report back to the queue (before a retry after a transient error)."""
    return ROWS.release(report_id, token)


def file_name(report: Report, suffix: str = "") -> str:
    return (
        f"reports/{report.cycle_id}/stage{report.stage.number}-round{report.round_id}"
        f"-v{report.version}-r{report.pk}{suffix}.pdf"
    )


def _write(name: str, data: bytes, token: str) -> None:
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{token.rsplit(':', 1)[-1]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def report_store(*, report: Report, token: str, rendered: rendering.RenderedReport, seconds: float) -> bool:
    """Put the PDF(s) in place and mark the report done — only while this process still holds it."""
    name = file_name(report)
    _write(name, rendered.main.data, token)
    annex_name = ""
    if rendered.annex is not None:
        annex_name = file_name(report, "-annex")
        _write(annex_name, rendered.annex.data, token)
    done = ROWS.mine(report.pk, token).update(
        status=ReportStatus.DONE,
        file=name,
        annex_file=annex_name,
        pages=rendered.main.pages,
        annex_pages=rendered.annex.pages if rendered.annex else None,
        progress=100,
        progress_note="done",
        render_seconds=round(seconds, 2),
        finished_at=timezone.now(),
        claim="",
        lease_until=None,
        error="",
    )
    if done:
        audit.record(
            action="report.rendered",
            obj=report,
            version=report.version,
            pages=rendered.main.pages,
            bytes=len(rendered.main.data),
        )
    return bool(done)


def report_render(*, report_id: int, final_attempt: bool = True, split_at: int | None = None) -> str:
    """Claim → build the context → render → store. Returns "done", "skipped" or "failed".

    Errors mark the report failed with their message; transient database errors give the report back to the queue
    and propagate (the task retries them) unless this is the final attempt.
    """
    token = new_token()
    report = report_claim(report_id=report_id, token=token)
    if report is None:
        return "skipped"
    started = time.monotonic()
    with jobs.Lease(lambda: report_renew(report_id=report_id, token=token)):
        return _render_claimed(report, token=token, started=started, final_attempt=final_attempt, split_at=split_at)


def report_renew(*, report_id: int, token: str) -> bool:
    """Extend the lease of a render this process holds; False once it holds it no more."""
    return ROWS.renew(report_id, token)


def _render_claimed(report: Report, *, token: str, started: float, final_attempt: bool, split_at: int | None) -> str:
    report_id = report.pk
    try:
        ctx = context.build_context(stage=report.stage, round=report.round, narrative=report.narrative)
        report_progress(report_id=report_id, token=token, percent=30, note="context")
        Report.objects.filter(pk=report_id, claim=token).update(provisional=ctx.provisional, title=ctx.title)
        rendered = rendering.pdf_from_context(
            ctx,
            split_at=split_at,
            progress=lambda p, note: report_progress(report_id=report_id, token=token, percent=p, note=note),
        )
        report_progress(report_id=report_id, token=token, percent=95, note="storing")
        stored = report_store(report=report, token=token, rendered=rendered, seconds=time.monotonic() - started)
        return "done" if stored else "skipped"
    except TRANSIENT as exc:
        if final_attempt:
            report_fail(report_id=report_id, token=token, error=f"{type(exc).__name__}: {exc}")
            return "failed"
        report_release(report_id=report_id, token=token)
        raise
    except Exception as exc:
        if not Report.objects.filter(pk=report_id).exists():
            log.info("report %s stopped: the report was deleted while it rendered (%s)", report_id, type(exc).__name__)
            return "skipped"
        log.exception("report %s failed", report_id)
        report_fail(report_id=report_id, token=token, error=f"{type(exc).__name__}: {exc}")
        return "failed"


def render_now(*, stage: Stage, round: CollectionRound, by=None) -> Report:
    """Create a report and render it in this process (the management command)."""
    report, _created = report_request_sync(stage=stage, round=round, by=by)
    report_render(report_id=report.pk)
    report.refresh_from_db()
    return report


def report_request_sync(*, stage: Stage, round: CollectionRound, by=None) -> tuple[Report, bool]:
    """A request that does not enqueue a task: the caller renders it."""
    with transaction.atomic():
        draft_for(stage=stage)
        draft = ReportDraft.objects.select_for_update().get(stage=stage)
        report = _new_report(stage=stage, rnd=round, draft=draft, by=by)
        audit.record(action="report.request", user=by, obj=report, version=report.version, synchronous=True)
    return report, True
