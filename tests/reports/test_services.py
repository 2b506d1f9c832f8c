"""Requests, claims, failures and retries (SECURITY.md rows 13 and 14 in their fast, sequential form).

The renderer is replaced by a stub here (the real one runs in test_pdf.py): these tests are about the rows and files.
"""

import datetime
import os

import pytest
from django.utils import timezone

from gongqing import pdf
from gongqing.models import AuditEvent
from supervision.reports import rendering, services
from supervision.reports.models import Report, ReportStatus
from tests.reports.conftest import stage


@pytest.fixture
def stub_render(monkeypatch):
    calls = []

    def fake(ctx, *, split_at=None, progress=None):
        calls.append(ctx.title)
        if progress:
            progress(75, "layout")
        return rendering.RenderedReport(pdf.RenderedPdf(b"%PDF-1.7 stub " + ctx.title.encode(), 3))

    monkeypatch.setattr(rendering, "pdf_from_context", fake)
    return calls


@pytest.fixture
def st(cycle):
    return stage(cycle, 4)


def test_ten_requests_for_the_same_narrative_give_one_job(
    county, st, official_round, staff, stub_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results = [services.report_request(stage=st, round=official_round, by=staff) for _ in range(10)]
    assert len({r.pk for r, _created in results}) == 1
    assert [created for _r, created in results].count(True) == 1
    assert len(callbacks) == 1  # one task enqueued
    callbacks[0]()
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE and report.version == 1
    assert len(stub_render) == 1
    assert os.listdir(os.path.dirname(report.file.path)) == [os.path.basename(report.file.path)]


def test_a_duplicated_task_after_done_renders_nothing(
    county, st, official_round, staff, stub_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = services.report_request(stage=st, round=official_round, by=staff)
    assert services.report_render(report_id=report.pk) == "skipped"
    assert len(stub_render) == 1


def test_render_again_after_done_makes_a_new_version_and_keeps_the_old(
    county, st, official_round, staff, stub_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = services.report_request(stage=st, round=official_round, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        second, created = services.report_request(stage=st, round=official_round, by=staff)
    first.refresh_from_db()
    second.refresh_from_db()
    assert created and (first.version, second.version) == (1, 2)
    assert first.status == second.status == ReportStatus.DONE
    assert first.file.name != second.file.name and os.path.exists(first.file.path) and os.path.exists(second.file.path)


def test_a_changed_narrative_is_a_new_job_even_while_one_is_queued(
    county, st, official_round, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first, _ = services.report_request(stage=st, round=official_round, by=staff)
        services.draft_save(stage=st, data={"summary": "新的摘要"}, by=staff)
        second, created = services.report_request(stage=st, round=official_round, by=staff)
    assert created and second.pk != first.pk and second.narrative["summary"] == "新的摘要"
    assert AuditEvent.objects.filter(action="report.draft_save").count() == 1


def test_a_report_held_by_a_live_process_is_not_claimed_twice(
    county, st, official_round, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        report, _ = services.report_request(stage=st, round=official_round, by=staff)
    mine = services.new_token()  # this (live) process
    assert services.report_claim(report_id=report.pk, token=mine) is not None
    with pytest.raises(services.ReportBusy):
        services.report_claim(report_id=report.pk, token=services.new_token())


def test_a_killed_holder_or_a_lapsed_lease_lets_the_report_be_taken_over(
    county, st, official_round, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        report, _ = services.report_request(stage=st, round=official_round, by=staff)
    host = services.new_token().split(":")[0]
    dead = f"{host}:999999999:1:deadbeef"  # no such process on this machine
    assert services.holder_is_gone(dead) and not services.holder_is_gone(services.new_token())
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RENDERING, claim=dead, lease_until=timezone.now() + datetime.timedelta(hours=1)
    )
    assert services.report_claim(report_id=report.pk, token=services.new_token()) is not None
    elsewhere = "another-host:1:1:cafe"
    Report.objects.filter(pk=report.pk).update(
        claim=elsewhere, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    taken = services.report_claim(report_id=report.pk, token=services.new_token())
    assert taken is not None and taken.attempts == 2  # two takeovers


def test_a_failed_render_is_marked_failed_with_its_error_and_can_be_retried(
    county, st, official_round, staff, monkeypatch, stub_render, django_capture_on_commit_callbacks
):
    def broken(ctx, **kwargs):
        raise RuntimeError("字体缺失")

    with monkeypatch.context() as m:
        m.setattr(rendering, "pdf_from_context", broken)
        with django_capture_on_commit_callbacks(execute=True):
            report, _ = services.report_request(stage=st, round=official_round, by=staff)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "RuntimeError: 字体缺失" in report.error
    assert not report.file and not report.claim
    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_retry(report=report, by=staff)
    again.refresh_from_db()
    assert again.pk == report.pk and again.status == ReportStatus.DONE and again.error == ""
    assert again.version == 1 and again.attempts == 2
    assert AuditEvent.objects.filter(action="report.retry").count() == 1
    assert AuditEvent.objects.filter(action="report.failed", result="error").count() == 1


def test_retrying_a_report_that_is_not_failed_changes_nothing(
    county, st, official_round, staff, stub_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = services.report_request(stage=st, round=official_round, by=staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.report_retry(report=report, by=staff)
    assert callbacks == [] and len(stub_render) == 1


def test_a_long_report_puts_its_annexes_in_a_separate_pdf(
    county, st, official_round, staff, django_capture_on_commit_callbacks
):
    from supervision.reports import context

    ctx = context.build_context(stage=st, round=official_round)
    out = rendering.pdf_from_context(ctx, split_at=3)
    assert out.annex is not None and out.annex.pages >= 1 and out.main.pages >= 1
    assert out.annex.data[:4] == out.main.data[:4] == b"%PDF"
