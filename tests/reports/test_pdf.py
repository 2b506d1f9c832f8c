"""The rendered PDF: one full render of the small county's stage-5 report through the request and the (eager) task,
with hostile narrative text; and the fetcher against raw hostile HTML (SECURITY.md row 12).

Checked: the text holds the title, every school's name and the CV; the fonts are embedded; no glyph is missing; the
provisional mark and the page numbers are on the pages; nothing outside the static files was fetched or embedded.
"""

import re
import shutil
import subprocess

import pytest
from fontTools.ttLib import TTCollection

from gongqing import pdf
from supervision.reports import services
from supervision.reports.models import Report, ReportStatus
from tests.reports.conftest import NAMES, stage
from tests.reports.hostile import CountingServer, hostile_snippets

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) missing")
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def _fonts(path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def _covered() -> set[int]:
    chars: set[int] = set()
    for path in FONTS:
        for font in TTCollection(path).fonts:
            chars |= set(font.getBestCmap())
    return chars


@pytest.fixture(scope="module")
def cmap():
    return _covered()


def test_a_stage_5_report_renders_with_every_school_the_cv_and_no_fetch(
    county, cycle, official_round, staff, django_capture_on_commit_callbacks, cmap
):
    st = stage(cycle, 5)
    with CountingServer() as server:
        hostile = "\n".join(hostile_snippets(server.url))
        services.draft_save(stage=st, data={"summary": "本阶段工作总结。\n" + hostile, "problems": hostile}, by=staff)
        with django_capture_on_commit_callbacks(execute=True):
            report, created = services.report_request(stage=st, round=official_round, by=staff)
        assert server.hits == []
    report.refresh_from_db()
    assert created and report.status == ReportStatus.DONE, report.error
    assert report.progress == 100 and report.pages and report.provisional
    path = report.file.path
    text = _text(path)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", report.title) in flat
    for name in NAMES.values():
        assert name in text
    assert "0.350" in text  # the R5 CV of the hand-worked county
    assert "3.600000" in text  # 甲小学's weighted term in the CV annex
    # the narrative came through as text, escaped, not as markup
    assert "file:///etc/passwd" in flat and "<img" in text
    pages = text.split("\f")[: report.pages]
    assert all("暂定" in page for page in pages)  # the provisional mark is on every page, the cover included
    assert f"第 2 页 共 {report.pages} 页" in text
    fonts = _fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= {row[0].split("+")[-1] for row in fonts}
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert not missing, f"characters without a glyph: {sorted(missing)}"
    with open(path, "rb") as fh:
        data = fh.read()
    assert b"/EmbeddedFile" not in data and b"/FileAttachment" not in data
    assert Report.objects.filter(stage=st).count() == 1


def test_the_fetcher_serves_only_static_files_whatever_the_html_asks(tmp_path):
    with CountingServer() as server:
        html = (
            '<html lang="zh-CN"><head><link rel="stylesheet" href="reports/pdf.css"></head><body><p>敌意内容</p>'
            + "".join(hostile_snippets(server.url))
            + "</body></html>"
        )
        fetcher = pdf.make_fetcher()
        out = pdf.render_pdf(html, fetcher=fetcher)
        assert server.hits == []  # no request reached the loopback server, the redirect included
    assert out.served == [pdf.static_base_url() + "reports/pdf.css"]
    refused = " ".join(out.refused)
    for asked in (
        "file:///etc/passwd",
        "169.254.169.254",
        "/img.png",
        "/import.css",
        "/svg.png",
        "/redirect",
        "/attach.txt",
        "/bg.png",
    ):
        assert asked in refused, asked
    assert b"/EmbeddedFile" not in out.data


def test_the_fetcher_refuses_paths_that_escape_the_static_root():
    fetcher = pdf.make_fetcher()
    base = pdf.static_base_url()
    for url in (
        base + "../manage.py",
        base + "reports/../../gongqing/settings.py",
        "file:///etc/passwd",
        "data:text/css,body{}",
    ):
        with pytest.raises(pdf.FetchRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
