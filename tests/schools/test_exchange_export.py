"""Exports of a round: scoped to what the user may see, audited, and never carrying a live formula."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gongqing.models import AuditEvent
from schools.models import ReturnClass
from tests.factories import SchoolFactory, make_return

HOSTILE = ['=HYPERLINK("http://evil.example/","点我")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-1+2", "\t=1"]


@pytest.fixture
def hostile_return(ganlu, official_round):
    school = SchoolFactory(name='=HYPERLINK("http://evil.example/")', code="2136100009", township=ganlu)
    ret = make_return(school=school, round=official_round)
    for cls, text in zip(ret.classes.all(), HOSTILE, strict=False):
        cls.name = text
        cls.save(update_fields=["name"])
    return ret


def export(client, round, name="schools:exchange_export"):
    response = client.get(reverse(name, args=[round.pk]))
    assert response.status_code == 200
    return response.content


def test_the_xlsx_export_holds_no_formula_cell_from_user_text(login, staff, hostile_return, official_round):
    wb = load_workbook(io.BytesIO(export(login(staff), official_round)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for text in HOSTILE:
        assert "'" + text in texts
    assert '\'=HYPERLINK("http://evil.example/")' in texts


def test_the_csv_export_neutralises_user_text_and_starts_with_a_bom(login, staff, hostile_return, official_round):
    archive = zipfile.ZipFile(io.BytesIO(export(login(staff), official_round, "schools:exchange_export_csv")))
    assert sorted(archive.namelist()) == ["classes.csv", "returns.csv", "rooms.csv"]
    raw = archive.read("classes.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["school_code", "section", "grade", "name", "students"]
    names = {r[3] for r in rows[1:]}
    for text in HOSTILE:
        assert "'" + text in names
    assert not any(n.startswith(("=", "+", "-", "@", "\t")) for n in names)


def test_hostile_text_round_trips_through_export_and_upload(login, staff, hostile_return, official_round):
    client = login(staff)
    content = export(client, official_round)
    response = client.post(
        reverse("schools:exchange_upload", args=[official_round.pk]),
        {"files": SimpleUploadedFile("导出.xlsx", content)},
    )
    assert 'id="import-result"' in response.content.decode()
    names = set(ReturnClass.objects.filter(school_return=hostile_return).values_list("name", flat=True))
    assert set(HOSTILE) <= names


def test_a_township_officials_export_has_their_township_only(
    login, jiangyi_official, ganlu_school, jiangyi_school, official_round
):
    make_return(school=ganlu_school, round=official_round)
    make_return(school=jiangyi_school, round=official_round)
    client = login(jiangyi_official)
    wb = load_workbook(io.BytesIO(export(client, official_round)))
    codes = {row[0] for ws in wb.worksheets for row in ws.iter_rows(min_row=2, values_only=True)}
    assert codes == {jiangyi_school.code}
    archive = zipfile.ZipFile(io.BytesIO(export(client, official_round, "schools:exchange_export_csv")))
    text = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert jiangyi_school.code in text
    assert ganlu_school.code not in text


def test_exports_are_audited(login, staff, ganlu_school, official_round):
    make_return(school=ganlu_school, round=official_round)
    client = login(staff)
    export(client, official_round)
    export(client, official_round, "schools:exchange_export_csv")
    events = AuditEvent.objects.filter(action="export").order_by("at", "pk")
    assert [(e.detail["format"], e.detail["rows"], e.object_id) for e in events] == [
        ("xlsx", 1, str(official_round.pk)),
        ("csv", 1, str(official_round.pk)),
    ]


def test_read_only_roles_cannot_export(login, personas, official_round):
    for persona in ("leadership", "auditor", "department_officer", "api_client"):
        response = login(personas[persona]).get(reverse("schools:exchange_export", args=[official_round.pk]))
        assert response.status_code == 403, persona


@pytest.mark.parametrize("text", ["\r=1+2", "\t=1+2"])
def test_a_carriage_return_or_tab_before_a_formula_is_neutralised_in_both_formats(
    login, staff, ganlu, official_round, text
):
    """The two triggers the HOSTILE list above cannot hold (XML reads CR back as LF), checked on their own."""
    ret = make_return(school=SchoolFactory(township=ganlu, code="2136100010"), round=official_round)
    ReturnClass.objects.filter(pk=ret.classes.first().pk).update(name=text)
    client = login(staff)
    wb = load_workbook(io.BytesIO(export(client, official_round)))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(isinstance(c.value, str) and c.value.startswith("'") and "=1+2" in c.value for c in cells)
    archive = zipfile.ZipFile(io.BytesIO(export(client, official_round, "schools:exchange_export_csv")))
    names = {r[3] for r in csv.reader(io.StringIO(archive.read("classes.csv").decode("utf-8-sig")))}
    assert "'" + text in names and text not in names
