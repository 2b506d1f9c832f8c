"""Leased jobs: a lost worker's job is taken up once by the sweep, a live one is left alone (gongqing.jobs)."""

import datetime
import gc

import pytest
from django.urls import reverse
from django.utils import timezone

from gongqing import jobs
from indicators import services as indicator_services
from indicators.models import EvaluationState
from supervision.reports import services
from supervision.reports.models import Report, ReportStatus
from tests.reports.conftest import stage

ELSEWHERE = "another-host:1:1:cafe"  # a claim of a process on another machine: only its lease tells


@pytest.fixture
def sent(monkeypatch):
    """Record what the sweep sends instead of sending it (eager mode would render at once)."""
    calls = []
    monkeypatch.setattr(jobs, "send", lambda name, args=(), **kw: calls.append((name, args)) or True)
    return calls


@pytest.fixture
def report(county, cycle, official_round, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        made, _ = services.report_request(stage=stage(cycle, 4), round=official_round, by=staff)
    return made


def _rendering(report, *, claim, lease):
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, claim=claim, lease_until=timezone.now() + datetime.timedelta(seconds=lease)
    )


def test_a_render_whose_lease_lapsed_is_taken_up_once(report, sent):
    _rendering(report, claim=ELSEWHERE, lease=-1)
    first = jobs.sweep()
    second = jobs.sweep()  # a second sweep (another beat, another worker starting) finds nothing more to do
    assert first["reports"] == 1 and second["reports"] == 0
    assert sent == [(services.RENDER_TASK, (report.pk,))]
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED and report.claim == "" and report.resumed_at is not None


def test_a_render_of_a_killed_process_on_this_machine_is_taken_up_before_its_lease_lapses(report, sent):
    host = jobs.new_token().split(":")[0]
    _rendering(report, claim=f"{host}:999999999:1:deadbeef", lease=3600)
    assert jobs.sweep()["reports"] == 1
    assert sent == [(services.RENDER_TASK, (report.pk,))]


def test_a_live_render_is_left_alone(report, sent):
    _rendering(report, claim=jobs.new_token(), lease=3600)  # this process: alive
    _ = jobs.sweep()
    _rendering(report, claim=ELSEWHERE, lease=60)  # another machine, lease still running
    assert jobs.sweep()["reports"] == 0
    assert sent == []
    report.refresh_from_db()
    assert report.status == ReportStatus.RENDERING and report.resumed_at is None


def test_a_queued_report_the_broker_never_got_is_sent_once_it_is_overdue(report, sent):
    assert jobs.sweep()["reports"] == 0  # just requested: its message may still be on its way
    Report.objects.filter(pk=report.pk).update(requested_at=timezone.now() - datetime.timedelta(minutes=3))
    assert jobs.sweep()["reports"] == 1
    assert jobs.sweep()["reports"] == 0  # sent now: not again until it is overdue once more
    assert sent == [(services.RENDER_TASK, (report.pk,))]


def test_the_taken_up_render_runs_once_and_the_page_says_when_it_restarted(report, login, staff, cycle, monkeypatch):
    from gongqing import pdf
    from supervision.reports import rendering

    monkeypatch.setattr(
        rendering, "pdf_from_context", lambda ctx, **kw: rendering.RenderedReport(pdf.RenderedPdf(b"%PDF-1.7 stub", 3))
    )
    _rendering(report, claim=ELSEWHERE, lease=-1)
    jobs.sweep()  # eager: the sweep's message renders at once
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 1
    page = login(staff).get(reverse("reports:stage", args=[stage(cycle, 4).pk]))
    assert "重新开始" in page.content.decode()


def test_a_recompute_of_a_lost_worker_is_sent_again_once_and_a_running_one_is_not(county, official_round, sent):
    state = EvaluationState.objects.get(round=official_round)
    EvaluationState.objects.filter(pk=state.pk).update(
        data_version=state.computed_version + 1,
        claim=ELSEWHERE,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
        sent_at=timezone.now(),
    )
    assert jobs.sweep()["recomputes"] == 1
    assert jobs.sweep()["recomputes"] == 0
    assert sent == [(indicator_services.RECOMPUTE_TASK, (official_round.pk,))]
    assert EvaluationState.objects.get(pk=state.pk).resumed_at is not None
    EvaluationState.objects.filter(pk=state.pk).update(
        claim=jobs.new_token(), lease_until=timezone.now() + datetime.timedelta(minutes=5), sent_at=None
    )
    assert jobs.sweep()["recomputes"] == 0  # running in a live process


def test_a_stale_round_nobody_sent_is_sent_and_a_fresh_one_is_not(county, official_round, sent):
    assert jobs.sweep()["recomputes"] == 0  # fresh
    EvaluationState.objects.filter(round=official_round).update(data_version=99, sent_at=None)
    assert jobs.sweep()["recomputes"] == 1
    assert jobs.sweep()["recomputes"] == 0


def test_send_never_raises_when_the_broker_is_away(settings, monkeypatch):
    from kombu.exceptions import OperationalError

    from gongqing import queue

    settings.CELERY_TASK_ALWAYS_EAGER = False

    class Down:
        def apply_async(self, *args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(queue, "task", lambda name: Down())
    assert jobs.send("supervision.reports.tasks.render_report", (1,)) is False


def test_the_lease_is_renewed_while_the_job_runs_and_stops_when_it_is_lost(settings):
    import threading

    settings.CELERY_TASK_ALWAYS_EAGER = False
    answers = iter([True, True, False])
    three = threading.Event()
    calls = []

    def renew():
        calls.append(1)
        if len(calls) == 3:
            three.set()
        return next(answers)

    with jobs.Lease(renew, every=0.01) as lease:
        assert three.wait(5)
    assert len(calls) == 3 and lease.renewals == 2  # stopped after the job was no longer ours


def test_the_sweeps_are_registered_and_the_signal_receivers_survive_the_garbage_collector():
    from indicators.signals import results_stored
    from schools.signals import return_approved, return_reopened

    gc.collect()
    assert {"reports", "recomputes"} <= set(jobs.SWEEPERS)
    assert return_approved.has_listeners() and return_reopened.has_listeners()
    assert len(results_stored._live_receivers(None)[0]) >= 2  # the dashboards' warm-up and the ledger sync
