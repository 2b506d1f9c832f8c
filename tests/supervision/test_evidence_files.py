"""Evidence of progress on rectification items and measures goes through gongqing.evidence (issue 11, finding 3):
a PNG with a script named page.html was stored as <uuid>.html and served as text/html."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongqing.models import AuditEvent
from supervision import services
from supervision.models import EvidenceFile, Measure, RectificationItem
from tests.hostile_corpus import PNG_SIGNATURE, PNG_WITH_SCRIPT

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def work(county, official_round, demo_cycle, recompute):
    """An item and a measure the bureau may post progress on."""
    recompute(official_round)
    services.measures_seed(cycle=demo_cycle)
    item = RectificationItem.objects.filter(school=county["B"], code="R5").get()
    return {"item_progress": item, "measure_progress": Measure.objects.order_by("pk").first()}


@pytest.mark.parametrize("route", ["item_progress", "measure_progress"])
def test_a_png_with_a_script_named_html_is_refused_and_nothing_stored(route, work, login, staff):
    obj = work[route]
    client = login(staff)
    upload = SimpleUploadedFile("page.html", PNG_WITH_SCRIPT, content_type="text/html")
    response = client.post(
        reverse(f"supervision:{route}", kwargs={"pk": obj.pk}), {"text": "见附件", "percent": 10, "files": [upload]}
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "与扩展名“.html”不符" in shown and "“.png”" in shown
    assert not obj.updates.exists() and not EvidenceFile.objects.exists()
    assert AuditEvent.objects.filter(action="supervision.evidence_upload", result="refused").count() == 1


@pytest.mark.parametrize("route", ["item_progress", "measure_progress"])
def test_evidence_is_stored_under_its_kinds_extension_and_served_as_that_kind(route, work, login, staff):
    obj = work[route]
    client = login(staff)
    png = PNG_SIGNATURE + b"\x00" * 64
    files = [SimpleUploadedFile("现场照片", png), SimpleUploadedFile("说明.txt", "已完成。".encode())]
    response = client.post(
        reverse(f"supervision:{route}", kwargs={"pk": obj.pk}), {"text": "见附件", "percent": 10, "files": files}
    )
    assert response.status_code == 302
    photo, note = EvidenceFile.objects.order_by("pk")
    assert photo.file.name.endswith(".png") and note.file.name.endswith(".txt")
    got = client.get(reverse("supervision:evidence", kwargs={"pk": photo.pk}))
    assert (got["Content-Type"], got["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert got["Content-Disposition"].startswith("attachment;") and ".png" in got["Content-Disposition"]
    assert b"".join(got.streaming_content) == png
    text = client.get(reverse("supervision:evidence", kwargs={"pk": note.pk}))
    assert text["Content-Type"] == "text/plain" and text["Content-Disposition"].startswith("attachment;")
