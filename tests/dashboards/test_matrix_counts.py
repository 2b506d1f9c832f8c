"""The matrix pages its rows without reading every cell: the misses and close cells the database counts for the sort
by misses are those the cells themselves show, at the 10 % margin's edge too; a page reads its own rows' cells."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from indicators.domain.warnings import directions, school_codes
from indicators.loading import standard_for_year
from indicators.models import SchoolResult
from schools.access import schools_for
from supervision.dashboards import selectors
from tests.dashboards.test_dashboards import build_county, county, leader  # noqa: F401  (fixtures)

D = Decimal


def _set(round, name, code, section, **values):
    SchoolResult.objects.filter(round=round, school__name=name, code=code, section=section).update(**values)


def test_the_counted_misses_and_close_cells_equal_those_of_the_cells_at_the_margins_edge(county, leader):  # noqa: F811
    """R5 is a minimum (threshold 7.5, close below 7.5 × 1.1 = 8.25), G4 a cap (threshold 2,000, close above
    2,000 × 0.9 = 1,800), G12 all or nothing (never close):
      看板小学02: R5 8.25 met → not close (8.25 is not below 8.25); G4 1,800 met → not close (not above 1,800)
      看板小学03: R5 8.2499 met → close; G4 1,800.01 met → close; G12 not_met → a miss
      看板小学04: G12 within_tolerance → a miss; G4 1,700 met → not close
    """
    _set(county, "看板小学02", "R5", "primary", status="met", value=D("8.25"), threshold=D("7.5"))
    _set(county, "看板小学02", "G4", "", status="met", value=D("1800"), threshold=D("2000"))
    _set(county, "看板小学03", "R5", "primary", status="met", value=D("8.2499"), threshold=D("7.5"))
    _set(county, "看板小学03", "G4", "", status="met", value=D("1800.01"), threshold=D("2000"))
    _set(county, "看板小学03", "G12", "", status="not_met")
    _set(county, "看板小学04", "G12", "", status="within_tolerance")
    _set(county, "看板小学04", "G4", "", status="met", value=D("1700"), threshold=D("2000"))
    std = standard_for_year(county.school_year.year)
    codes, dirs = school_codes(std), directions(std)
    schools = schools_for(leader)
    counted = selectors.matrix_index(round=county, schools=schools)
    selectors.count_misses(counted, round=county, schools=schools, codes=codes, directions=dirs)
    full = {
        r.name: (r.misses, r.close)
        for r in selectors.matrix_rows(round=county, schools=schools, codes=codes, directions=dirs)
    }
    by_count = {r.name: r.counted for r in counted}
    assert by_count == full
    assert by_count["看板小学02"] == (0, 0)
    assert by_count["看板小学03"] == (1, 2)
    assert by_count["看板小学04"] == (1, 0)
    assert by_count["看板小学00"][0] == 1  # R5 5.0 < 7.5
    assert by_count["看板小学01"][1] >= 1  # R5 7.75 < 8.25


@pytest.mark.parametrize("n", [5, 40])
def test_the_matrix_sorted_by_misses_takes_the_same_queries_for_5_and_40_schools(
    n,
    client,
    leader,  # noqa: F811
    official_round,
    ganlu,
    jiangyi,
    django_assert_max_num_queries,
):
    build_county(n, round=official_round, townships=[ganlu, jiangyi])
    client.force_login(leader)
    client.get(reverse("dashboards:matrix"))
    cache.clear()
    with django_assert_max_num_queries(14):  # the default sort's 12, and the misses and close counted
        response = client.get(reverse("dashboards:matrix"), {"sort": "misses"})
    assert re.findall(r'class="school-link">(.*?)</a>', response.text)[0] == "看板小学00"


def test_the_matrix_download_is_streamed_whole_with_its_cells_and_formula_safe(client, leader, county):  # noqa: F811
    from io import BytesIO

    from openpyxl import load_workbook

    from gongqing.models import AuditEvent
    from schools.models import School

    School.objects.filter(name="看板小学05").update(name="=HYPERLINK(1)")
    client.force_login(leader)
    response = client.get(reverse("dashboards:export", args=["matrix"]), {"key": "matrix", "sort": "misses"})
    assert response.status_code == 200 and response.streaming
    data = response.getvalue()  # the streamed blocks, once
    rows = list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))
    header, body = rows[2], rows[3:]
    assert header[:5] == ("学校", "乡镇", "办学类型", "学段", "学生数") and header[-2:] == ("未达标项", "结论")
    assert len(body) == 6 and body[0][0] == "看板小学00"  # sorted by misses, every row
    r5 = header.index("R5")
    assert body[0][r5] == "5.000 未达标" and body[0][-2] == 1
    assert "'=HYPERLINK(1)" in [r[0] for r in body]
    assert AuditEvent.objects.get(action="dashboard.export").detail["size"] == len(data)
