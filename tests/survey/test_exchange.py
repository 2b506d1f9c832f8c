"""The signed export of a SURVEY_ONLY host and its import into the portal: verified, idempotent, no identifiers."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from gongqing.models import AuditEvent
from supervision.survey import exchange
from supervision.survey.models import DeviceReceipt, Question, Response, Survey
from tests.survey.conftest import submit


def _collect(survey):
    submit(survey, "students", ["satisfied"] * 6, 4)
    submit(survey, "parents", ["dissatisfied"] * 5 + ["unknown"], 3)
    submit(survey, "residents", ["very_satisfied"] * 6, 2)


def _counts(survey) -> Counter:
    return Counter(Response.objects.filter(survey=survey).values_list("group", flat=True))


def test_an_export_holds_the_definition_and_the_answers_only(survey, export_key):
    _collect(survey)
    data = json.loads(exchange.export_bytes(survey))
    payload = data["payload"]
    assert data["format"] == "gongqing-survey-export" and len(data["signature"]) > 20
    assert payload["survey"]["token"] == survey.token and payload["survey"]["school_year"] == 2024
    assert len(payload["survey"]["items"]["students"]) == 6
    assert len(payload["responses"]) == 9
    assert {tuple(sorted(r)) for r in payload["responses"]} == {("answers", "group", "id", "submitted_on")}
    hashes = DeviceReceipt.objects.values_list("token_hash", flat=True)
    text = json.dumps(data)
    assert not any(h in text for h in hashes)


def test_importing_into_a_fresh_portal_reproduces_the_counts(survey, export_key):
    _collect(survey)
    raw = exchange.export_bytes(survey)
    counts, ids, token = _counts(survey), set(Response.objects.values_list("id", flat=True)), survey.token
    Survey.objects.all().delete()  # the "second portal": same database, nothing of the survey left

    result = exchange.import_export(raw)

    assert result.created_survey and result.added == 9 and result.present == 0
    imported = Survey.objects.get()
    assert imported.token == token
    assert Question.objects.filter(survey=imported, group="parents").count() == 6
    assert _counts(imported) == counts
    assert set(Response.objects.values_list("id", flat=True)) == ids
    assert set(Response.objects.values_list("source", flat=True)) == {"import"}


def test_importing_the_same_export_twice_adds_nothing(survey, export_key):
    _collect(survey)
    raw = exchange.export_bytes(survey)
    Response.objects.all().delete()
    first = exchange.import_export(raw)
    second = exchange.import_export(raw)
    assert (first.added, first.present) == (9, 0)
    assert (second.added, second.present) == (0, 9)
    assert Response.objects.count() == 9


def test_a_later_export_adds_only_the_new_answers(survey, export_key):
    _collect(survey)
    early = exchange.export_bytes(survey)
    submit(survey, "teachers", ["satisfied"] * 6, 2)
    later = exchange.export_bytes(survey)
    Response.objects.all().delete()
    assert exchange.import_export(early).added == 9
    assert exchange.import_export(later).added == 2
    assert Response.objects.count() == 11


def _tampered(raw: bytes) -> bytes:
    data = json.loads(raw)
    data["payload"]["responses"][0]["answers"] = ["very_dissatisfied"] * 6  # no response of _collect has these
    return json.dumps(data).encode()


def test_a_tampered_export_is_refused_and_changes_nothing(survey, export_key):
    _collect(survey)
    raw = exchange.export_bytes(survey)
    Response.objects.all().delete()
    with pytest.raises(exchange.ExportRefused, match="签名校验失败"):
        exchange.import_export(_tampered(raw))
    assert Response.objects.count() == 0


def test_an_export_signed_with_another_key_is_refused(survey, settings):
    settings.SURVEY_EXPORT_KEY = "another-key-of-another-host-0123456789abcdef"
    raw = exchange.export_bytes(survey)
    settings.SURVEY_EXPORT_KEY = "the-portal-key-which-differs-0123456789abcdef"
    with pytest.raises(exchange.ExportRefused):
        exchange.import_export(raw)


def test_without_a_key_outside_debug_nothing_is_signed(survey, settings):
    settings.SURVEY_EXPORT_KEY = ""
    settings.DEBUG = False
    with pytest.raises(exchange.ExportRefused, match="SURVEY_EXPORT_KEY"):
        exchange.export_bytes(survey)


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"format": "other"}', json.dumps({"format": "x"}).encode()])
def test_a_file_that_is_no_export_is_refused(raw, export_key, db):
    with pytest.raises(exchange.ExportRefused):
        exchange.import_export(raw)


def test_an_export_whose_items_differ_from_the_portals_is_refused(survey, export_key):
    _collect(survey)
    raw = exchange.export_bytes(survey)
    Question.objects.filter(survey=survey, group="students", position=1).update(text="另一道题")
    with pytest.raises(exchange.ExportRefused, match="题目"):
        exchange.import_export(raw)


def test_the_bureau_uploads_an_export_twice_and_the_count_holds(client, staff, survey, export_key):
    _collect(survey)
    raw = exchange.export_bytes(survey)
    Response.objects.all().delete()
    client.force_login(staff)
    url = reverse("survey:import")
    for _ in range(2):
        response = client.post(url, {"file": SimpleUploadedFile("survey-2024.json", raw)})
        assert response.status_code == 302
    assert Response.objects.count() == 9
    events = AuditEvent.objects.filter(action="survey.import").order_by("pk")
    assert [e.detail["added"] for e in events] == [9, 0]


def test_the_bureau_sees_why_a_tampered_upload_is_refused(client, staff, survey, export_key):
    _collect(survey)
    raw = exchange.export_bytes(survey)
    client.force_login(staff)
    response = client.post(reverse("survey:import"), {"file": SimpleUploadedFile("x.json", _tampered(raw))})
    assert response.status_code == 400
    assert "签名校验失败" in response.content.decode()
    assert AuditEvent.objects.filter(action="survey.import", result="refused").count() == 1


def test_the_bureau_downloads_the_signed_file(client, staff, survey, export_key):
    _collect(survey)
    client.force_login(staff)
    response = client.get(reverse("survey:export", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert len(exchange.verified_payload(response.content)["responses"]) == 9


def test_the_commands_carry_a_survey_from_the_public_host_to_the_portal(survey, export_key, tmp_path):
    _collect(survey)
    path = tmp_path / "survey-2024.json"
    call_command("survey_export", "--year", "2024", "-o", str(path), stderr=StringIO())
    Survey.objects.all().delete()
    out = StringIO()
    call_command("survey_import", str(path), stdout=out)
    assert "9 added" in out.getvalue()
    assert Response.objects.count() == 9


def test_a_deeply_nested_survey_file_is_a_400_with_the_reason(client, staff, export_key):
    client.force_login(staff)
    file = SimpleUploadedFile(
        "survey.json", b'{"format": "gongqing-survey-export", "payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    )
    response = client.post(reverse("survey:import"), {"file": file})
    assert response.status_code == 400
    assert "嵌套层级过深（超过32层）" in response.content.decode()


def test_a_survey_file_over_the_cap_is_refused_by_its_size(client, staff, export_key, monkeypatch):
    assert exchange.MAX_FILE_BYTES == 20 * 1024 * 1024  # the portal's upload cap (docs/security.md)
    monkeypatch.setattr(exchange, "MAX_FILE_BYTES", 1000)
    client.force_login(staff)
    file = SimpleUploadedFile("survey.json", b" " * 1001)
    response = client.post(reverse("survey:import"), {"file": file})
    assert response.status_code == 400
    assert "JSON数据过大" in response.content.decode()
