"""`render_report`: the synchronous render for operators, with its defaults and its refusals."""

import io

import pytest
from django.core.management import CommandError, call_command

from gongqing import pdf
from supervision.reports import rendering
from supervision.reports.models import Report, ReportStatus


@pytest.fixture
def stub_render(monkeypatch):
    monkeypatch.setattr(
        rendering, "pdf_from_context", lambda ctx, **kw: rendering.RenderedReport(pdf.RenderedPdf(b"%PDF-1.7 stub", 7))
    )


def test_the_command_renders_the_current_cycles_stage_from_the_default_round(
    county, cycle, official_round, stub_render, tmp_path
):
    out = io.StringIO()
    target = tmp_path / "stage4.pdf"
    call_command("render_report", "--stage", "4", "--out", str(target), stdout=out)
    report = Report.objects.get()
    assert (report.stage.number, report.round, report.status, report.pages) == (4, official_round, ReportStatus.DONE, 7)
    assert target.read_bytes() == b"%PDF-1.7 stub"
    assert "7 页 pages" in out.getvalue()


def test_the_command_names_what_is_missing(county, cycle, stub_render):
    with pytest.raises(CommandError, match="没有第9阶段"):
        call_command("render_report", "--stage", "9")
    with pytest.raises(CommandError, match="没有已计算评估结果的批次"):
        call_command("render_report", "--stage", "4", "--year", "2019")
    assert not Report.objects.exists()
