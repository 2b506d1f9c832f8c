"""Evidence of county entries goes through gongqing.evidence (issue 11, finding 3)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import CountyEntry, Evidence
from tests.hostile_corpus import PNG_SIGNATURE, PNG_WITH_SCRIPT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def edit(school_year, login, staff):
    client = login(staff)
    url = reverse("indicators:county_entry_edit", kwargs={"year": school_year.year, "code": "G1"})

    def post(*files):
        return client.post(url, {"met": "true", "note": "规划已批复", "evidence": list(files)})

    return client, post


def test_a_png_with_a_script_named_html_is_refused_and_nothing_saved(edit):
    _client, post = edit
    response = post(SimpleUploadedFile("page.html", PNG_WITH_SCRIPT, content_type="text/html"))
    assert response.status_code == 200
    assert "与扩展名“.html”不符" in response.content.decode()
    assert not Evidence.objects.exists() and not CountyEntry.objects.exists()


def test_county_evidence_is_stored_under_its_kinds_extension_and_served_as_that_kind(edit):
    client, post = edit
    png = PNG_SIGNATURE + b"\x00" * 64
    assert post(SimpleUploadedFile("规划批复.pdf", PDF), SimpleUploadedFile("现场", png)).status_code == 302
    pdf, photo = Evidence.objects.order_by("pk")
    assert pdf.file.name.endswith(".pdf") and photo.file.name.endswith(".png")
    assert "规划批复" not in pdf.file.name  # the stored name is random; the user's name is kept in the row
    got = client.get(reverse("indicators:evidence_download", kwargs={"pk": photo.pk}))
    assert (got["Content-Type"], got["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert got["Content-Disposition"].startswith("attachment;") and ".png" in got["Content-Disposition"]
    assert b"".join(got.streaming_content) == png
