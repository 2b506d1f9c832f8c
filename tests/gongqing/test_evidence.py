"""Evidence files by content (issue 11, finding 3): one checker for every evidence upload, one response for every
download. The upload and download paths themselves are tested in tests/supervision/test_evidence_files.py (items
and measures) and tests/indicators/test_county_evidence.py (county entries)."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from gongqing.evidence import EVIDENCE_KINDS, check_evidence, evidence_response, stored_name
from gongqing.uploads import UploadRejected
from tests.hostile_corpus import PNG_SIGNATURE, PNG_WITH_SCRIPT
from tests.schools.exchange_files import workbook_bytes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 50


def refused(name: str, content: bytes) -> str:
    with pytest.raises(UploadRejected) as caught:
        check_evidence(SimpleUploadedFile(name, content))
    return caught.value.message


def test_the_allow_list_is_pdf_jpeg_png_office_open_xml_and_plain_text():
    assert {"pdf", "jpeg", "png", "docx", "xlsx", "pptx", "text"} == EVIDENCE_KINDS


@pytest.mark.parametrize(
    ("name", "content", "kind", "stored"),
    [
        ("开工报告.pdf", PDF, "pdf", ".pdf"),
        ("现场.JPEG", JPEG, "jpeg", ".jpg"),
        ("现场.jpg", JPEG, "jpeg", ".jpg"),
        ("现场.png", PNG_SIGNATURE + b"\x00" * 40, "png", ".png"),
        ("清单.xlsx", workbook_bytes({"a": [[1]]}), "xlsx", ".xlsx"),
        ("说明.txt", "整改说明：已完成。".encode(), "text", ".txt"),
        ("无扩展名", PDF, "pdf", ".pdf"),
    ],
)
def test_each_kind_is_told_by_its_bytes_and_stored_under_its_own_extension(name, content, kind, stored):
    checked = check_evidence(SimpleUploadedFile(name, content))
    assert checked.kind == kind
    assert stored_name(checked).endswith(stored) and stored_name(checked) != stored_name(checked)


@pytest.mark.parametrize(
    ("name", "content", "ext"),
    [
        ("page.html", PNG_WITH_SCRIPT, ".html"),
        ("page.htm", PNG_WITH_SCRIPT, ".htm"),
        ("page.svg", PNG_WITH_SCRIPT, ".svg"),
        ("run.exe", PDF, ".exe"),
        ("notes.html", b"<script>alert(1)</script>", ".html"),
    ],
)
def test_an_extension_that_contradicts_the_content_is_refused_with_the_right_one(name, content, ext):
    message = refused(name, content)
    assert f"与扩展名“{ext}”不符" in message and "请将扩展名改为" in message


def test_kinds_outside_the_list_are_refused():
    assert "不支持该文件类型" in refused("data.csv", b"a,b\r\n1,2\r\n")
    assert "无法识别" in refused("a.bin", b"\x00\x01\x02" * 20)


@pytest.mark.parametrize(
    ("name", "content_type", "served_type", "filename"),
    [
        ("开工报告.pdf", "application/pdf", "application/pdf", "开工报告.pdf"),
        # A row stored before the checker: a PNG named page.html is served as what it is.
        ("page.html", "image/png", "image/png", "page.png"),
        ("照片", "image/jpeg", "image/jpeg", "照片.jpg"),
        # A content type outside the allow-list is never echoed.
        ("page.html", "text/html", "application/octet-stream", "page.html"),
    ],
)
def test_a_download_is_an_attachment_typed_from_the_allow_list_and_never_sniffed(
    name, content_type, served_type, filename
):
    class Stored:
        def open(self, mode):
            return ContentFile(PNG_WITH_SCRIPT)

    response = evidence_response(Stored(), name=name, content_type=content_type)
    assert response["Content-Type"] == served_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    disposition = response["Content-Disposition"]
    assert f'filename="{filename}"' in disposition or f"filename*=utf-8''{quote(filename)}" in disposition
