"""Writes of the indicator engine: county entries, marking results stale, recomputing and storing results.

A recompute loads a round in a fixed number of queries (selectors), runs the pure evaluation
(indicators.domain) and writes only the rows whose values changed. It is idempotent: running it twice,
or twice at once, leaves the same rows.
"""

from __future__ import annotations

import datetime
import gc
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gongqing import audit, jobs, queue
from gongqing.evidence import stored_name
from schools.models import CollectionRound, SchoolYear

from . import incremental, loading, parts, signals, storing
from .domain.gcpause import gc_paused
from .models import CostSettings, CountyEntry, EvaluationState, Evidence

log = logging.getLogger(__name__)
COALESCE_SECONDS = 5
RECOMPUTE_TASK = "indicators.tasks.recompute_round"  # tasks.recompute_round, which calls recompute_round below


def _queued_key(round_id: int) -> str:
    return f"indicators:recompute-queued:{round_id}"


def mark_stale(*, school_year: int, school_ids=None) -> list[int]:
    """Bump the data version of every round of the year and schedule one recompute per round after commit.

    `school_ids`: the schools whose figures changed (an empty list: only county-level data did), so that the recompute
    re-evaluates those schools alone; None: anything may have changed, the next recompute starts from scratch.
    """
    # One transaction: the approval signal calls this after its own commit, outside any transaction.
    with transaction.atomic():
        round_ids = list(CollectionRound.objects.filter(school_year__year=school_year).values_list("pk", flat=True))
        _mark(round_ids, school_ids)
        for rid in round_ids:
            transaction.on_commit(lambda rid=rid: enqueue_recompute(rid))
    return round_ids


def _mark(round_ids: list[int], school_ids) -> None:
    existing = set(EvaluationState.objects.filter(round_id__in=round_ids).values_list("round_id", flat=True))
    EvaluationState.objects.bulk_create(
        [EvaluationState(round_id=rid) for rid in round_ids if rid not in existing], ignore_conflicts=True
    )
    states = EvaluationState.objects.filter(round_id__in=round_ids)
    if school_ids is None:
        states.update(data_version=F("data_version") + 1, needs_full=True)
        return
    for pk, dirty in states.select_for_update().order_by("pk").values_list("pk", "dirty_schools"):
        merged = sorted(set(dirty or ()) | set(school_ids))
        EvaluationState.objects.filter(pk=pk).update(data_version=F("data_version") + 1, dirty_schools=merged)


def request_recompute(*, round: CollectionRound) -> None:
    mark_stale(school_year=round.school_year.year)


def enqueue_recompute(round_id: int) -> None:
    """Coalesce: while a run is queued for the round, further requests add nothing; the queued run sees them all."""
    task = queue.task(RECOMPUTE_TASK)
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(round_id)
        return
    if cache.add(_queued_key(round_id), 1, timeout=COALESCE_SECONDS * 60):
        if jobs.send(RECOMPUTE_TASK, (round_id,), countdown=COALESCE_SECONDS):
            EvaluationState.objects.filter(round_id=round_id).update(sent_at=timezone.now())
        else:  # the broker is away: the next request tries again, the sweep sends it when the broker is back
            cache.delete(_queued_key(round_id))


def recompute_lease() -> datetime.timedelta:
    """A recompute holds its round's row lock for the whole run, so its lease is not renewed (the renewal would wait
    for that lock): it outlives the task's hard time limit. A killed worker's run is taken up sooner, when the
    holder is a process of this machine that runs no more (gongqing.jobs.holder_is_gone)."""
    return datetime.timedelta(seconds=int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 900)) + 60)


def recompute_sweep(now: datetime.datetime) -> int:
    """Send again the recomputes of stale rounds that no live worker runs and no recent message asked for.

    A run whose worker was lost (lease lapsed or holder gone) is taken up by a conditional UPDATE on its claim
    (`resumed_at` set); a stale round sent long ago (or never: the broker was away) by one on `sent_at`. A message
    sent twice finds the round fresh and does nothing.
    """
    overdue = now - jobs.overdue_delta()
    stale = EvaluationState.objects.filter(computed_version__lt=F("data_version")).filter(
        ~Q(claim="") | Q(sent_at__isnull=True) | Q(sent_at__lt=overdue)
    )
    n = 0
    for pk, round_id, claim, lease_until, sent_at in stale.values_list(
        "pk", "round_id", "claim", "lease_until", "sent_at"
    ):
        if claim:
            if not jobs.lapsed(claim=claim, lease_until=lease_until, now=now):
                continue  # running
            taken = EvaluationState.objects.filter(pk=pk, claim=claim).update(
                claim="", lease_until=None, sent_at=now, resumed_at=now
            )
            if taken:
                log.warning("recompute of round %s: its worker was lost (claim %s); sent again", round_id, claim)
        else:
            taken = EvaluationState.objects.filter(pk=pk, claim="", sent_at=sent_at).update(sent_at=now)
        if taken:
            n += jobs.send(RECOMPUTE_TASK, (round_id,))
    return n


def recompute_round(*, round_id: int) -> dict:
    """Evaluate a round and store its results; returns counts of rows written (for logs and benchmarks).

    The round's state row is locked for the whole run, so duplicated or concurrent tasks run one after the
    other, and a run that finds the results already at the current data version does nothing.
    """
    cache.delete(_queued_key(round_id))
    rnd = CollectionRound.objects.select_related("school_year").filter(pk=round_id).first()
    if rnd is None:
        return _round_gone(round_id)
    EvaluationState.objects.bulk_create([EvaluationState(round=rnd)], ignore_conflicts=True)  # no JSON read back
    token = jobs.new_token()
    EvaluationState.objects.filter(round=rnd).update(claim=token, lease_until=timezone.now() + recompute_lease())
    try:
        return _recompute_locked(rnd, round_id)
    finally:
        EvaluationState.objects.filter(round_id=round_id, claim=token).update(claim="", lease_until=None)


def _recompute_locked(rnd: CollectionRound, round_id: int) -> dict:
    # The run holds every family's results at once, and the ledger sync run by its commit (in-process when Celery is
    # eager) the county's facts and items: the cyclic collector would walk them again and again. It is paused until
    # the commit's hooks have run; a full run then collects once, before resuming it (see below).
    with gc_paused():
        out = _recompute_and_commit(rnd, round_id)
        if out.get("mode") == "full":
            # The run leaves the county's parts and their memo alive for the next change: hundreds of thousands of
            # objects the cyclic collector has not walked yet. Its next full collection would walk them all (half a
            # second at 10,000 schools) in whatever runs next, most likely the change a user waits for: it is done
            # here, at the end of the batch, once. Done while paused: resuming first would let the allocation
            # counts piled up by the run start a full collection of their own, then this one again.
            gc.collect()
    return out


def _recompute_and_commit(rnd: CollectionRound, round_id: int) -> dict:
    with transaction.atomic():
        state = EvaluationState.objects.select_for_update().filter(round=rnd).defer("summary", "result").first()
        if state is None:  # the round (and its state with it) was deleted since the line above
            return _round_gone(round_id)
        version = state.data_version
        if state.computed_version >= version:
            return {"round": round_id, "version": version, "skipped": True}
        stats = None
        if not state.needs_full and state.computed_version:
            try:
                stats = incremental.recompute_changed(round=rnd, dirty=state.dirty_schools)
            except parts.BadPart as exc:
                log.warning("round %s: a stored part cannot be read (%s); recomputing from scratch", round_id, exc)
        if stats is None:
            stats = incremental.recompute_full(round=rnd)
        EvaluationState.objects.filter(pk=state.pk).update(
            computed_version=version,
            computed_at=timezone.now(),
            runs=F("runs") + 1,
            standard_label=stats["standard_label"],
            policy=stats["policy"],
            provisional=stats["provisional"],
            passed=stats["passed"],
            summary=storing.json_column(stats["summary"]),
            result=storing.json_column(stats["result"]),
            dirty_schools=[],
            needs_full=False,
        )
        school_ids = stats["school_ids"]
        transaction.on_commit(
            lambda: signals.results_stored.send(
                sender=EvaluationState,
                round_id=round_id,
                school_year=rnd.school_year.year,
                data_version=version,
                school_ids=school_ids,
            )
        )
    log.info("recomputed round %s at data version %s (%s): %s", round_id, version, stats["mode"], stats["counts"])
    return {"round": round_id, "version": version, "mode": stats["mode"], **stats["counts"]}


def _round_gone(round_id: int) -> dict:
    """A recompute queued for a round deleted before it ran: nothing to do, one line in the log."""
    log.info("recompute of round %s skipped: the round no longer exists", round_id)
    return {"round": round_id, "skipped": True, "gone": True}


def recompute_stale_rounds() -> list[dict]:
    out = []
    for state in EvaluationState.objects.filter(computed_version__lt=F("data_version")).only("round_id"):
        out.append(recompute_round(round_id=state.round_id))
    return out


def county_entry_save(
    *, school_year: SchoolYear, code: str, value: dict, note: str, files=(), by, request=None
) -> CountyEntry:
    """A county-level entry with its new evidence files ((upload, CheckedUpload) pairs already through
    gongqing.evidence.check_evidence), in one transaction; the year's rounds go stale."""
    with transaction.atomic():
        entry, created = CountyEntry.objects.get_or_create(school_year=school_year, code=code)
        old = entry.value
        entry.value = value
        entry.note = note
        entry.updated_by = by
        entry._history_user = by
        entry.save()
        audit.record(action="county_entry.save", user=by, request=request, obj=entry, code=code, old=old, new=value)
        for upload, checked in files:
            evidence_add(entry=entry, upload=upload, checked=checked, by=by, request=request)
        mark_stale(school_year=school_year.year, school_ids=())  # county-level: no school's rows change
    return entry


def costing_for_round(*, round: CollectionRound, schools) -> dict:
    """Money, land and posts to close every stored gap of the given schools, with the configured unit costs."""
    return storing.costing(round=round, schools=schools)


def evidence_add(*, entry: CountyEntry, upload, checked, by, request=None) -> Evidence:
    """Store an evidence file (already passed through gongqing.evidence.check_evidence) outside static, under a
    random name with the extension of what it is."""
    upload.seek(0)
    evidence = Evidence(
        entry=entry, name=checked.name[:200], content_type=checked.content_type, size=checked.size, uploaded_by=by
    )
    evidence.file.save(stored_name(checked, f"{entry.school_year.year}-{entry.code}-"), upload, save=False)
    with transaction.atomic():
        evidence.save()
        audit.record(
            action="evidence.upload", user=by, request=request, obj=evidence, entry=entry.code, size=checked.size
        )
    return evidence


def indicator_names(*, school_year: SchoolYear | None = None) -> dict[str, str]:
    """Chinese names of every indicator code in the standard the year uses (the national one by default)."""
    standard = loading.standard_for_year(school_year.year if school_year else None)
    return {code: d.name_zh for code, d in standard.indicators.items()}


def mark_stale_now(*, round: CollectionRound, school_ids=None) -> None:
    """Bump one round's data version without scheduling a task (the caller recomputes synchronously); `school_ids`
    as for mark_stale."""
    with transaction.atomic():
        _mark([round.pk], school_ids)


def year_settings_save(*, form, by, request=None) -> None:
    """Save a year's standard and teaching-point policy; every round of the year is recomputed."""
    with transaction.atomic():
        row = form.save(commit=False)
        row._history_user = by
        row.save()
        audit.record(
            action="year_settings.save",
            user=by,
            request=request,
            obj=row,
            standard=row.standard.code,
            policy=row.teaching_point_policy,
        )
        mark_stale(school_year=row.school_year.year)


def unit_costs() -> dict:
    row = CostSettings.objects.order_by("pk").first()
    return dict(row.data) if row else {}


def unit_costs_save(*, costs: dict, by, request=None) -> None:
    data = {k: str(v) for k, v in costs.items() if v is not None}
    with transaction.atomic():
        row = CostSettings.objects.order_by("pk").first() or CostSettings()
        old = dict(row.data or {})
        row.data = data
        row._history_user = by
        row.save()
        audit.record(action="unit_costs.save", user=by, request=request, obj=row, old=old, new=data)
