"""Writes of the binder: requests, retries, downloads' audit, and the worker's claim → build → store.

As for the stage reports (supervision/reports/services.py): a request locks the cycle's row, returns a queued or
building binder of the same cycle, round and scope if there is one (a second request joins it), else creates the next
version; a partial unique constraint backs this up. The worker claims by conditional UPDATE with a lease and a process
token (gongqing.jobs), renews the lease while it builds, and takes over only from a lapsed lease or a dead holder; the
file names are fixed by the version and written through a temporary name, so a killed and re-run build leaves one
archive and one done row.
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
from django.utils.translation import gettext as _

from gongqing import audit, jobrows, jobs
from schools.models import CollectionRound, Township
from supervision.models import Cycle

from . import build, selectors
from .models import ACTIVE, Binder, BinderStatus, scope_key
from .sources import Scope

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError)
BUILD_TASK = "supervision.binder.tasks.build_binder"  # tasks.build_binder, which calls binder_build below


class BinderBusy(jobrows.Busy):
    """Another live process builds the binder; try again after `retry_in` seconds."""

    what = "binder"


ROWS = jobrows.JobRows(
    model=Binder,
    queued=BinderStatus.QUEUED,
    running=BinderStatus.BUILDING,
    failed=BinderStatus.FAILED,
    task=BUILD_TASK,
    kind="binder",
    busy=BinderBusy,
    related=("cycle", "round__school_year", "township"),
)


# --- Requests -----------------------------------------------------------------------------------------------------


def _active(cycle: Cycle, rnd: CollectionRound, scope: str) -> Binder | None:
    return Binder.objects.filter(cycle=cycle, round=rnd, scope=scope, status__in=ACTIVE).first()


def _new(*, cycle: Cycle, rnd: CollectionRound, township_id: int | None, by) -> Binder:
    scope = scope_key(township_id)
    last = Binder.objects.filter(cycle=cycle, round=rnd, scope=scope).aggregate(v=Max("version"))["v"] or 0
    return Binder.objects.create(
        cycle=cycle, round=rnd, township_id=township_id, scope=scope, version=last + 1, requested_by=by
    )


def binder_request(
    *, cycle: Cycle, round: CollectionRound, township_id: int | None, by, request=None, enqueue_task: bool = True
) -> tuple[Binder, bool]:
    """Queue a build of the binder of `cycle` and `round` for the county (township_id None) or one township;
    returns (binder, created). While one of the same cycle, round and scope is queued or building, that one is
    returned: the second request joins it."""
    scope = scope_key(township_id)
    with transaction.atomic():
        Cycle.objects.select_for_update().get(pk=cycle.pk)
        found = _active(cycle, round, scope)
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                binder = _new(cycle=cycle, rnd=round, township_id=township_id, by=by)
        except IntegrityError:
            found = _active(cycle, round, scope)
            if found is None:
                raise
            return found, False
        audit.record(action="binder.request", user=by, request=request, obj=binder, version=binder.version, scope=scope)
        if enqueue_task:
            transaction.on_commit(lambda: enqueue(binder.pk))
    return binder, True


def binder_retry(*, binder: Binder, by, request=None) -> Binder:
    """Queue a failed binder again (same version); one that is not failed is left as it is."""
    return ROWS.retry(binder, by=by, request=request)


def binder_download(*, binder: Binder, part: str, request) -> None:
    """Audit a download (the view streams the file)."""
    audit.record(action="binder.download", request=request, obj=binder, version=binder.version, part=part)


def enqueue(binder_id: int) -> bool:
    return ROWS.enqueue(binder_id)


def binders_sweep(now: datetime.datetime) -> int:
    """Take up builds whose worker was lost and send queued ones the broker never got (gongqing.jobs)."""
    return ROWS.sweep(now)


# --- The worker's side --------------------------------------------------------------------------------------------


def binder_claim(*, binder_id: int, token: str) -> Binder | None:
    """Take the binder for building, or None when there is nothing to do; BinderBusy while a live process holds it."""
    return ROWS.claim(binder_id, token)


def binder_progress(*, binder_id: int, token: str, percent: int, note: str = "") -> bool:
    return ROWS.progress(binder_id, token, percent, note)


def binder_renew(*, binder_id: int, token: str) -> bool:
    return ROWS.renew(binder_id, token)


def binder_fail(*, binder_id: int, token: str, error: str) -> bool:
    return ROWS.fail(binder_id, token, error)


def binder_release(*, binder_id: int, token: str) -> bool:
    return ROWS.release(binder_id, token)


def file_name(binder: Binder, suffix: str) -> str:
    scope = "county" if binder.township_id is None else f"township{binder.township_id}"
    return f"binders/{binder.cycle_id}/{scope}/round{binder.round_id}-v{binder.version}-b{binder.pk}{suffix}"


def _tmp(path: Path, token: str) -> Path:
    return path.with_name(f".{path.name}.{token.rsplit(':', 1)[-1]}.tmp")


def _sweep_temporaries(*paths: Path) -> None:
    """Remove what an earlier attempt at this binder left half-written (a worker killed mid-build): its lease has
    expired, since this process holds the binder now, so nothing else writes these files."""
    for path in paths:
        for leftover in path.parent.glob(f".{path.name}.*.tmp*"):
            leftover.unlink(missing_ok=True)


def scope_of(binder: Binder) -> tuple[Scope, str, str]:
    """The binder's scope, its label and its township's name."""
    if binder.township_id is None:
        return Scope(cycle=binder.cycle, round=binder.round), _("全县"), ""
    township = binder.township or Township.objects.get(pk=binder.township_id)
    ids = selectors.township_school_ids(binder.township_id)
    return (
        Scope(cycle=binder.cycle, round=binder.round, township_id=binder.township_id, school_ids=ids),
        _("%(name)s（仅本乡镇学校的材料）") % {"name": township.name},
        township.name,
    )


def binder_build(*, binder_id: int, final_attempt: bool = True) -> str:
    """Claim → build → store. Returns "done", "skipped" or "failed"."""
    token = jobs.new_token()
    binder = binder_claim(binder_id=binder_id, token=token)
    if binder is None:
        return "skipped"
    started = time.monotonic()
    with jobs.Lease(lambda: binder_renew(binder_id=binder_id, token=token)):
        return _build_claimed(binder, token=token, started=started, final_attempt=final_attempt)


def _build_claimed(binder: Binder, *, token: str, started: float, final_attempt: bool) -> str:
    binder_id = binder.pk
    zip_name, index_name = file_name(binder, ".zip"), file_name(binder, "-index.pdf")
    zip_path = Path(default_storage.path(zip_name))
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_temporaries(zip_path, Path(default_storage.path(index_name)))
    tmp = _tmp(zip_path, token)
    try:
        scope, label, township_name = scope_of(binder)
        built = build.build(
            scope=scope,
            zip_path=tmp,
            scope_label=label,
            township_name=township_name,
            progress=lambda p, note: binder_progress(binder_id=binder_id, token=token, percent=p, note=note),
        )
        binder_progress(binder_id=binder_id, token=token, percent=95, note="storing")
        return "done" if _store(binder, token, built, tmp, zip_path, index_name, started) else "skipped"
    except TRANSIENT as exc:
        tmp.unlink(missing_ok=True)
        if final_attempt:
            binder_fail(binder_id=binder_id, token=token, error=f"{type(exc).__name__}: {exc}")
            return "failed"
        binder_release(binder_id=binder_id, token=token)
        raise
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        if not Binder.objects.filter(pk=binder_id).exists():
            return "skipped"
        log.exception("binder %s failed", binder_id)
        binder_fail(binder_id=binder_id, token=token, error=f"{type(exc).__name__}: {exc}")
        return "failed"


def _store(binder: Binder, token: str, built: build.Built, tmp: Path, zip_path: Path, index_name: str, started) -> bool:
    """Put the archive and the index in place and mark the binder done — only while this process still holds it."""
    index_path = Path(default_storage.path(index_name))
    index_tmp = _tmp(index_path, token)
    index_tmp.write_bytes(built.index.data)
    os.replace(index_tmp, index_path)
    os.replace(tmp, zip_path)
    done = ROWS.mine(binder.pk, token).update(
        status=BinderStatus.DONE,
        file=file_name(binder, ".zip"),
        index_file=index_name,
        files_count=sum(1 for e in built.entries if not e.missing),
        missing_count=len(built.missing),
        bare_count=len(built.bare),
        size=zip_path.stat().st_size,
        progress=100,
        progress_note="done",
        build_seconds=round(time.monotonic() - started, 2),
        finished_at=timezone.now(),
        claim="",
        lease_until=None,
        error="",
    )
    if done:
        audit.record(
            action="binder.built",
            obj=binder,
            version=binder.version,
            files=len(built.entries),
            missing=len(built.missing),
        )
    return bool(done)


def build_now(*, cycle: Cycle, round: CollectionRound, township_id: int | None = None, by=None) -> Binder:
    """Create a binder and build it in this process (the management command and the bench)."""
    binder, _created = binder_request(cycle=cycle, round=round, township_id=township_id, by=by, enqueue_task=False)
    binder_build(binder_id=binder.pk)
    binder.refresh_from_db()
    return binder
