"""The results export (.xlsx): stored numbers as numbers, filters and access as on the results page, no formulas.

County as in test_recompute: 甲小学 and 乙小学 in 甘露镇, 丙小学 in 江益镇; R5 = 7.5, 5.0 and 10.0; CV(R5) = 0.233854.
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongqing.models import AuditEvent
from gongqing.roles import Role
from indicators.models import SchoolResult
from schools import services as school_services
from tests.factories import SchoolFactory, make_return, primary_figures

SHEETS = ["县域结论", "差异系数", "学校指标", "学校保障项目", "缺口", "测算"]
HOSTILE_NAME = '=HYPERLINK("http://evil.example/","点击")'


@pytest.fixture
def county(ganlu, jiangyi, official_round, staff, django_capture_on_commit_callbacks):
    specs = [
        ("2136100001", "甲小学", ganlu, 400, 10, 24, "3000"),
        ("2136100002", HOSTILE_NAME, ganlu, 200, 5, 12, "1000"),
        ("2136100003", "丙小学", jiangyi, 400, 10, 24, "4000"),
    ]
    returns = []
    for code, name, township, students, classes, teachers, sports in specs:
        school = SchoolFactory(code=code, name=name, township=township)
        figures = primary_figures(students=students, classes=classes, teachers=teachers, sports_area_m2=Decimal(sports))
        returns.append(make_return(school=school, round=official_round, status="submitted", figures=figures))
    with django_capture_on_commit_callbacks(execute=True):
        for ret in returns:
            school_services.return_approve(school_return=ret, by=staff)
    return official_round


def _workbook(client, user, round, **query):
    client.force_login(user)
    response = client.get(reverse("indicators:round_export", args=[round.pk]), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _table(ws):
    """The sheet's header row (row 2) and data rows as dicts."""
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def test_the_school_sheet_numbers_equal_the_stored_results(county, staff, client):
    wb = _workbook(client, staff, county)

    assert wb.sheetnames == SHEETS
    rows = {r["学校标识码"]: r for r in _table(wb["学校指标"])}
    assert set(rows) == {"2136100001", "2136100002", "2136100003"}
    stored = SchoolResult.objects.filter(round=county, code__in=[f"R{i}" for i in range(1, 8)]).select_related("school")
    assert stored.count() == 21
    for result in stored:
        cell = rows[result.school.code][result.code]
        assert isinstance(cell, int | float), (result.school.code, result.code, cell)
        assert Decimal(str(cell)) == result.value
    assert rows["2136100002"]["R5"] == 5
    assert rows["2136100002"]["R5状态"] == "未达标"
    assert rows["2136100002"]["结论"] == "未通过"  # a section's verdict: 通过 / 未通过 (GLOSSARY)
    assert rows["2136100001"]["学生数"] == 400


def test_the_cv_sheet_gives_numbers_as_numbers(county, leadership_user, client):
    wb = _workbook(client, leadership_user, county)
    r5 = next(r for r in _table(wb["差异系数"]) if r["指标"] == "R5")
    assert r5["差异系数"] == pytest.approx(0.233854, abs=1e-9)
    assert r5["县域均值"] == 8
    assert r5["限值"] == 0.5
    assert r5["是否达标"] == "是"


def test_a_township_filter_restricts_the_school_rows(county, staff, client, ganlu):
    wb = _workbook(client, staff, county, township=ganlu.pk)
    codes = {r["学校标识码"] for r in _table(wb["学校指标"])}
    assert codes == {"2136100001", "2136100002"}
    items = {r["学校标识码"] for r in _table(wb["学校保障项目"])}
    assert items == {"2136100001", "2136100002"}
    gaps = {r["学校标识码"] for r in _table(wb["缺口"])}
    assert "2136100003" not in gaps
    assert "2136100002" in gaps  # 乙小学's R5 gap: 7.5 × 200 − 1000 = 500 m²
    r5_gap = next(r for r in _table(wb["缺口"]) if r["学校标识码"] == "2136100002" and r["指标"] == "R5")
    assert r5_gap["缺口"] == 500


def test_the_export_has_no_formula_cells_even_for_hostile_school_names(county, staff, client):
    wb = _workbook(client, staff, county)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), (ws.title, cell.coordinate)
    names = [r["学校名称"] for r in _table(wb["学校指标"])]
    assert "'" + HOSTILE_NAME in names


def test_every_sheet_says_provisional_on_its_first_row_while_results_are_provisional(county, staff, client):
    wb = _workbook(client, staff, county)
    for ws in wb.worksheets:
        first = " ".join(str(v) for v in next(ws.iter_rows(max_row=1, values_only=True)) if v is not None)
        assert "暂定" in first, ws.title
        assert "3所学校中已有3所" in first
    county_rows = {r[0]: r[1] for r in wb["县域结论"].iter_rows(min_row=2, max_row=12, values_only=True)}
    assert county_rows["县域结论"] == "未通过（暂定）"  # a definite failure while county items are still missing
    assert county_rows["暂定"] == "是"
    assert "G1" in county_rows["尚未填报的县级指标"]


def test_township_officials_are_refused_and_exports_are_audited(county, personas, client):
    url = reverse("indicators:round_export", args=[county.pk])
    client.force_login(personas["ganlu_official"])
    assert client.get(url).status_code == 403
    client.force_login(personas[Role.DEPARTMENT_OFFICER])
    assert client.get(url, {"kind": "primary"}).status_code == 200
    event = AuditEvent.objects.get(action="results.export")
    assert event.user == personas[Role.DEPARTMENT_OFFICER]
    assert event.object_id == str(county.pk)
    assert event.detail["filters"] == {"kind": "primary"}


@pytest.fixture
def leadership_user(personas):
    return personas[Role.LEADERSHIP]
