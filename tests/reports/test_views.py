"""The reports pages through HTTP: who sees what, the render button, progress polling, audited downloads."""

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision.reports import rendering
from supervision.reports.models import Report, ReportStatus
from tests.reports.conftest import stage


@pytest.fixture
def stub_render(monkeypatch):
    from gongqing import pdf

    monkeypatch.setattr(
        rendering,
        "pdf_from_context",
        lambda ctx, **kw: rendering.RenderedReport(pdf.RenderedPdf(b"%PDF-1.7 stub", 2)),
    )


def test_staff_write_the_narrative_and_a_render_click_gives_a_pdf_to_download(
    county, cycle, official_round, personas, client, stub_render, django_capture_on_commit_callbacks
):
    st = stage(cycle, 4)
    client.force_login(personas[Role.BUREAU_STAFF])
    response = client.post(reverse("reports:draft", args=[st.pk]), {"summary": "本阶段摘要", "problems": "问题"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # impatient clicks while the first is queued
            client.post(reverse("reports:render", args=[st.pk]), {"round": official_round.pk})
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE and report.narrative["summary"] == "本阶段摘要"
    page = client.get(reverse("reports:stage", args=[st.pk])).content.decode()
    assert reverse("reports:download", args=[report.pk]) in page and "<script>" not in page
    status = client.get(reverse("reports:status", args=[report.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100
    client.force_login(personas[Role.LEADERSHIP])
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="report.download")
    assert event.user == personas[Role.LEADERSHIP] and event.object_id == str(report.pk)


def test_a_render_request_with_an_unknown_round_changes_nothing(county, cycle, personas, client):
    st = stage(cycle, 4)
    client.force_login(personas[Role.BUREAU_ADMIN])
    response = client.post(reverse("reports:render", args=[st.pk]), {"round": 999999}, follow=True)
    assert "数据批次" in response.content.decode()
    assert not Report.objects.exists()


def test_readers_cannot_write_and_others_cannot_read(county, cycle, official_round, personas, client):
    st = stage(cycle, 4)
    client.force_login(personas[Role.LEADERSHIP])
    assert client.get(reverse("reports:stage", args=[st.pk])).status_code == 200
    assert client.post(reverse("reports:render", args=[st.pk]), {"round": official_round.pk}).status_code == 403
    for who in ("ganlu_official", Role.DEPARTMENT_OFFICER, Role.AUDITOR, Role.API_CLIENT):
        client.force_login(personas[who])
        assert client.get(reverse("reports:list")).status_code == 403
    assert not Report.objects.exists()


def test_the_annex_tables_download_as_a_workbook_with_the_cv_terms(
    county, cycle, official_round, personas, client, stub_render, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    from supervision.reports import services

    with django_capture_on_commit_callbacks(execute=True):
        report, _ = services.report_request(stage=stage(cycle, 4), round=official_round, by=personas[Role.BUREAU_STAFF])
    client.force_login(personas[Role.LEADERSHIP])
    response = client.get(reverse("reports:tables", args=[report.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in row] for row in wb["差异系数计算"].iter_rows()]
    assert ["小学", "R5", "甲小学", 400, "10.000", "0.4000", "3.600000"] in rows
    assert AuditEvent.objects.filter(action="report.tables_export").count() == 1


def _reports(st, rnd, n):
    start = Report.objects.filter(stage=st).count()
    for i in range(start, start + n):
        Report.objects.create(
            cycle=st.cycle, stage=st, school_year=rnd.school_year, round=rnd, version=i + 1, status=ReportStatus.FAILED
        )


def test_the_list_and_stage_pages_take_the_same_queries_for_few_and_many_reports(
    county, cycle, official_round, personas, client, django_assert_max_num_queries
):
    st = stage(cycle, 4)
    client.force_login(personas[Role.BUREAU_STAFF])
    counts = []
    for n in (2, 20):
        _reports(st, official_round, n)
        for url in (reverse("reports:list"), reverse("reports:stage", args=[st.pk])):
            with django_assert_max_num_queries(45) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[:2] == counts[2:], counts
