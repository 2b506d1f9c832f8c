"""The template and the round's export go back in as they came out: submitted and approved schools are skipped when
unchanged and refused, cell by cell, when changed; everything else stays all-or-nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gongqing.models import AuditEvent
from schools.models import ReturnStatus, SchoolReturn
from tests.factories import SchoolFactory, make_return, primary_figures
from tests.schools.exchange_files import XLSX, read_sheets


@pytest.fixture
def second_school(ganlu):
    return SchoolFactory(name="甘露镇第二小学", code="2136000009", township=ganlu)


@pytest.fixture
def mixed_round(ganlu_school, second_school, official_round):
    """甘露镇中心小学 approved (400 pupils in 10 classes), 甘露镇第二小学 a draft (120 pupils in 3 classes)."""
    approved = make_return(school=ganlu_school, round=official_round, status=ReturnStatus.APPROVED)
    draft = make_return(school=second_school, round=official_round, figures=primary_figures(students=120, classes=3))
    return approved, draft


def download_template(client, rnd, township, every=True) -> bytes:
    url = reverse("schools:exchange_template", args=[rnd.pk, township.pk]) + ("?schools=all" if every else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def upload(client, rnd, content: bytes, name="模板.xlsx") -> str:
    response = client.post(
        reverse("schools:exchange_upload", args=[rnd.pk]),
        {"files": SimpleUploadedFile(name, content, content_type=XLSX)},
    )
    assert response.status_code == 200
    return response.content.decode()


def edit_cell(content: bytes, sheet: str, code: str, header: str, value) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    column = headers.index(header) + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)
    ws.cell(row, column).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_default_template_holds_only_schools_still_to_fill(login, staff, ganlu, mixed_round, official_round):
    rows = read_sheets(download_template(login(staff), official_round, ganlu, every=False))["学校填报"][1:]
    assert [r[0] for r in rows] == ["2136000009"]
    assert AuditEvent.objects.get(action="export").detail["schools"] == "to_fill"


def test_the_all_schools_template_uploads_back_unchanged_with_the_approved_school_skipped(
    login, staff, ganlu, mixed_round, official_round
):
    approved, draft = mixed_round
    client = login(staff)
    content = download_template(client, official_round, ganlu)
    assert [r[0] for r in read_sheets(content)["学校填报"][1:]] == ["2136000001", "2136000009"]
    html = upload(client, official_round, content)
    assert 'id="import-result"' in html
    assert "已审核的 1 所学校未变动，已跳过" in html
    assert "已导入 1 所学校的填报" in html
    approved.refresh_from_db()
    draft.refresh_from_db()
    assert (approved.version, approved.status) == (1, ReturnStatus.APPROVED)
    assert draft.version == 2  # saved again, same figures
    assert AuditEvent.objects.get(action="import").detail["skipped"] == 1


def test_the_rounds_export_uploads_back_unchanged(login, staff, ganlu_school, mixed_round, official_round):
    client = login(staff)
    content = client.get(reverse("schools:exchange_export", args=[official_round.pk])).content
    html = upload(client, official_round, content, name="returns.xlsx")
    assert "已审核的 1 所学校未变动，已跳过" in html
    assert SchoolReturn.objects.get(school=ganlu_school, round=official_round).version == 1


def test_a_submitted_school_is_skipped_and_counted_apart(login, staff, ganlu, mixed_round, official_round):
    _approved, draft = mixed_round
    SchoolReturn.objects.filter(pk=draft.pk).update(status=ReturnStatus.SUBMITTED)
    html = upload(login(staff), official_round, download_template(login(staff), official_round, ganlu))
    assert "已审核的 1 所学校未变动，已跳过" in html
    assert "已提交待审核的 1 所学校未变动，已跳过" in html
    assert "已导入 0 所学校的填报" in html


def test_a_changed_figure_of_an_editable_school_is_imported(login, staff, ganlu, mixed_round, official_round):
    _approved, draft = mixed_round
    client = login(staff)
    content = edit_cell(
        download_template(client, official_round, ganlu), "学校填报", "2136000009", "小学专任教师数", 25
    )
    html = upload(client, official_round, content)
    assert "已审核的 1 所学校未变动，已跳过" in html
    draft.refresh_from_db()
    assert draft.primary_teachers == 25


def test_a_changed_figure_of_an_approved_school_refuses_the_file_naming_the_cell(
    login, staff, ganlu, mixed_round, official_round
):
    approved, draft = mixed_round
    client = login(staff)
    content = download_template(client, official_round, ganlu)
    content = edit_cell(content, "学校填报", "2136000009", "小学专任教师数", 25)
    content = edit_cell(content, "学校填报", "2136000001", "小学在校生数", 401)
    html = upload(client, official_round, content)
    assert 'id="import-problems"' in html
    # 甘露镇中心小学 is the first school of the template: row 2.
    assert "学校填报 第2行 ‘小学在校生数’：文件中为“401”，系统中为“400”。甘露镇中心小学在本批次的填报已审核" in html
    assert "请联系教体局退回该填报" in html
    draft.refresh_from_db()
    approved.refresh_from_db()
    assert (draft.version, draft.primary_teachers, approved.primary_students) == (1, 24, 400)


def test_thousands_separators_and_text_numbers_are_not_a_change(login, staff, ganlu, mixed_round, official_round):
    approved, _draft = mixed_round
    client = login(staff)
    content = download_template(client, official_round, ganlu)
    equipment = f"{approved.equipment_value_yuan:,}"  # e.g. "2,000,000.00" as text
    content = edit_cell(content, "学校填报", "2136000001", "教学仪器设备值（元）", equipment)
    content = edit_cell(content, "学校填报", "2136000001", "小学在校生数", "400")
    content = edit_cell(content, "学校填报", "2136000001", "年度公用经费（元）", float(approved.public_funds_yuan))
    html = upload(client, official_round, content)
    assert "已审核的 1 所学校未变动，已跳过" in html, html


def test_a_changed_class_of_an_approved_school_is_refused_on_the_class_sheet(
    login, staff, ganlu, mixed_round, official_round
):
    client = login(staff)
    content = download_template(client, official_round, ganlu)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["班级"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "2136000001")
    ws.cell(row, 6).value = ws.cell(row, 6).value + 1
    out = io.BytesIO()
    wb.save(out)
    html = upload(client, official_round, out.getvalue())
    assert f"班级 第{row}行：系统中没有这一行。甘露镇中心小学在本批次的填报已审核" in html
    assert "班级：系统中有1行不在文件中。" in html
