"""The dashboard pages against stored results: the numbers they carry, sorting, downloads, who reads them, and a
number of queries that does not grow with the schools."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from openpyxl import load_workbook

from gongqing.models import AuditEvent
from gongqing.roles import Role
from indicators import services
from indicators.models import EvaluationState, SchoolResult, SectionCV, SectionVerdict
from schools.models import ReturnClass
from tests.factories import SchoolFactory, make_return, primary_figures

PAGES = ("dashboards:overview", "dashboards:matrix", "dashboards:trends", "dashboards:warnings", "dashboards:board")


def build_county(n, *, round, townships):
    """n primary schools spread over the townships, approved and recomputed; school 0 has a weak sports ground
    (2,000 m² for 400 pupils: R5 = 5.0, not met) and school 1 one just above (3,100 m²: 7.75, close)."""
    for i in range(n):
        area = {0: Decimal("2000"), 1: Decimal("3100")}.get(i, Decimal("4000"))
        school = SchoolFactory(code=f"36{i:08d}", name=f"看板小学{i:02d}", township=townships[i % len(townships)])
        make_return(school=school, round=round, status="approved", figures=primary_figures(sports_area_m2=area))
    services.mark_stale_now(round=round)
    services.recompute_round(round_id=round.pk)


@pytest.fixture
def county(official_round, ganlu, jiangyi):
    build_county(6, round=official_round, townships=[ganlu, jiangyi])
    return official_round


@pytest.fixture
def leader(personas):
    return personas[Role.LEADERSHIP]


def chart_data(response, key):
    match = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', response.text, re.S)
    assert match, f"no data for chart {key}"
    return json.loads(match.group(1))


def test_the_overview_draws_the_stored_cvs_against_their_limit(client, leader, county):
    client.force_login(leader)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    data = chart_data(response, "cv-primary")
    stored = {cv.code: cv for cv in SectionCV.objects.filter(round=county, section="primary")}
    assert data["categories"] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    assert data["series"][0]["data"] == [float(stored[c].cv) for c in data["categories"]]
    assert data["limits"] == [{"name": "限值", "value": 0.5}]
    assert data["series"][0]["states"] == ["met" if stored[c].met else "not-met" for c in data["categories"]]


def test_the_overview_counts_school_sections_as_stored(client, leader, county):
    client.force_login(leader)
    data = chart_data(client.get(reverse("dashboards:overview")), "sections")
    stored = {
        status: SectionVerdict.objects.filter(round=county, section="primary", status=status).count()
        for status in ("passed", "passed_within_tolerance", "failed", "no_data")
    }
    assert [s["data"][0] for s in data["series"]] == list(stored.values())
    assert stored["failed"] == 1  # school 0 misses R5 by a third


def test_the_overview_names_the_round_and_says_provisional(client, leader, county):
    client.force_login(leader)
    response = client.get(reverse("dashboards:overview"))
    assert str(county) in response.text
    assert "暂定" in response.text  # county entries are missing: the verdict is provisional
    assert "督导数据尚未接入" not in response.text


def test_the_matrix_marks_met_close_and_not_met_cells(client, leader, county):
    client.force_login(leader)
    response = client.get(reverse("dashboards:matrix"))
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr data-misses="\d+">.*?(看板小学\d\d).*?</tr>', response.text, re.S)
    }
    r5 = lambda row: re.findall(r'<td class="heat ([\w-]+)"', row)[4]  # noqa: E731
    assert r5(rows["看板小学00"]) == "not-met"
    assert r5(rows["看板小学01"]) == "close"  # 7.75 < 7.5 × 1.1
    assert r5(rows["看板小学02"]) == "met"


def test_the_matrix_sorts_by_misses_on_the_server(client, leader, county):
    client.force_login(leader)
    response = client.get(reverse("dashboards:matrix"), {"sort": "misses"})
    names = re.findall(r'class="school-link">(.*?)</a>', response.text)
    assert names[0] == "看板小学00"
    by_township = re.findall(r'class="school-link">(.*?)</a>', client.get(reverse("dashboards:matrix")).text)
    # Grouped by township (both have order 0, so by name: 江益镇 before 甘露镇), then by code.
    assert by_township == ["看板小学01", "看板小学03", "看板小学05", "看板小学00", "看板小学02", "看板小学04"]


def test_a_matrix_row_opens_the_school_page(client, leader, county):
    client.force_login(leader)
    school_id = SectionVerdict.objects.filter(round=county).order_by("school__code").first().school_id
    response = client.get(reverse("dashboards:matrix"))
    assert f'href="{reverse("schools:detail", args=[school_id])}"' in response.text


def test_the_xlsx_holds_the_charts_numbers_and_is_audited(client, leader, county):
    client.force_login(leader)
    response = client.get(reverse("dashboards:export", args=["overview"]), {"key": "cv-primary", "round": county.pk})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:3] == ("指标", "县域均值", "差异系数")
    r5 = next(r for r in rows if r[0] and str(r[0]).startswith("R5"))
    assert r5[2] == float(SectionCV.objects.get(round=county, section="primary", code="R5").cv)
    assert AuditEvent.objects.filter(action="dashboard.export").count() == 1


def test_an_unknown_chart_or_page_is_not_found(client, leader, county):
    client.force_login(leader)
    assert client.get(reverse("dashboards:export", args=["overview"]), {"key": "nope"}).status_code == 404
    assert client.get(reverse("dashboards:export", args=["admin"]), {"key": "matrix"}).status_code == 404


def test_warnings_list_a_class_that_will_be_over_the_cap_next_year(client, leader, county):
    ret = SectionVerdict.objects.filter(round=county).order_by("school__code").last().school.returns.get()
    # One grade-5 class of 44 (within 45 today) plus 4 pupils moved in from another grade-5 class: 48 next year in
    # grade 6, one class → 3 over.
    grade5 = ReturnClass.objects.filter(school_return=ret, grade=5).order_by("pk").first()
    ReturnClass.objects.filter(pk=grade5.pk).update(students=48)
    client.force_login(leader)
    response = client.get(reverse("dashboards:warnings"))
    assert response.status_code == 200
    assert ret.school.name in response.context["class_table"].rows[0][0]
    row = response.context["class_table"].rows[0]
    assert row[2:8] == ["6年级", 48, 1, 45, row[6], 3]
    close = [r[0] for r in response.context["close_table"].rows]
    assert "看板小学01" in close and "看板小学02" not in close


def test_trends_draw_every_round_with_results(client, leader, county):
    client.force_login(leader)
    data = chart_data(client.get(reverse("dashboards:trends")), "trend-mean-R5")
    cv = SectionCV.objects.get(round=county, section="primary", code="R5")
    assert data["categories"] == [str(county)]
    assert data["series"][0]["data"] == [float(cv.mean)]
    assert data["series"][1]["data"] == [7.5] and data["series"][1]["dashed"]


def test_the_board_says_when_supervision_has_nothing_yet(client, leader, county):
    client.force_login(leader)
    response = client.get(reverse("dashboards:board"))
    assert response.status_code == 200


def test_leadership_sees_the_county_overview_first_on_the_home_page(client, leader, county):
    client.force_login(leader)
    text = client.get(reverse("home")).text
    assert "home-overview" in text
    assert text.index("home-overview") < text.index("quicklinks")


def test_township_officials_get_no_overview_on_the_home_page(client, ganlu_official, county):
    client.force_login(ganlu_official)
    assert "home-overview" not in client.get(reverse("home")).text


def test_without_results_the_pages_say_so(client, leader, official_round):
    client.force_login(leader)
    for name in ("dashboards:overview", "dashboards:matrix", "dashboards:trends", "dashboards:warnings"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert 'id="no-results"' in response.text


@pytest.mark.parametrize("route", PAGES)
@pytest.mark.parametrize("n", [5, 40])
def test_each_page_makes_the_same_number_of_queries_for_5_and_40_schools(
    route, n, client, leader, official_round, ganlu, jiangyi, django_assert_max_num_queries
):
    build_county(n, round=official_round, townships=[ganlu, jiangyi])
    assert SchoolResult.objects.filter(round=official_round, code="R1").count() == n
    client.force_login(leader)
    client.get(reverse(route))  # session and user caches warm
    cache.clear()  # the page built afresh, not read from the dashboards' cache
    with django_assert_max_num_queries(QUERY_BUDGET[route]):
        assert client.get(reverse(route)).status_code == 200


QUERY_BUDGET = {
    "dashboards:overview": 18,
    "dashboards:matrix": 12,
    "dashboards:trends": 11,
    "dashboards:warnings": 18,
    "dashboards:board": 22,
}


def test_the_matrix_is_read_from_the_cache_until_a_recompute(client, leader, county, django_assert_max_num_queries):
    client.force_login(leader)
    first = client.get(reverse("dashboards:matrix"))
    assert 'data-misses="1"' in first.text  # school 0 misses R5
    SchoolResult.objects.filter(round=county, code="R5").update(status="met")  # behind the engine's back
    with django_assert_max_num_queries(8):  # no result rows read: the session, the user, the rounds, the names
        again = client.get(reverse("dashboards:matrix"))
    table = lambda text: re.search(r'<table class="table small heatmap">.*?</table>', text, re.S).group(0)  # noqa: E731
    assert table(again.text) == table(first.text)
    EvaluationState.objects.filter(round=county).update(computed_version=F("computed_version") + 1)  # a recompute
    assert 'data-misses="1"' not in client.get(reverse("dashboards:matrix")).text


def test_the_warnings_are_rebuilt_when_the_data_or_the_projects_change(client, leader, county):
    client.force_login(leader)
    ret = SectionVerdict.objects.filter(round=county).order_by("school__code").last().school.returns.get()
    assert client.get(reverse("dashboards:warnings")).context["class_table"].rows == []
    grade5 = ReturnClass.objects.filter(school_return=ret, grade=5).order_by("pk").first()
    ReturnClass.objects.filter(pk=grade5.pk).update(students=48)  # no version bump: the cached page stands
    assert client.get(reverse("dashboards:warnings")).context["class_table"].rows == []
    EvaluationState.objects.filter(round=county).update(data_version=F("data_version") + 1)  # an approval
    rows = client.get(reverse("dashboards:warnings")).context["class_table"].rows
    assert [r[7] for r in rows] == [3]  # 48 pupils in one class of at most 45 next year


def test_a_page_table_keeps_200_rows_and_the_full_length():
    from supervision.dashboards.charts import Table

    table = Table(["a"], [[i] for i in range(250)])
    page = table.for_page()
    assert (len(page.rows), page.size, page.truncated) == (200, 250, True)
    assert page.preview[-1] == [199]
    small = Table(["a"], [[1]]).for_page()
    assert (small.size, small.truncated) == (1, False)


def test_a_download_of_the_warnings_has_every_row_after_the_page_was_cached(client, leader, county):
    ret = SectionVerdict.objects.filter(round=county).order_by("school__code").last().school.returns.get()
    grade5 = ReturnClass.objects.filter(school_return=ret, grade=5).order_by("pk").first()
    ReturnClass.objects.filter(pk=grade5.pk).update(students=48)
    client.force_login(leader)
    assert len(client.get(reverse("dashboards:warnings")).context["class_table"].rows) == 1
    response = client.get(reverse("dashboards:export", args=["warnings"]), {"key": "classes-list", "round": county.pk})
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[3][0] == ret.school.name and len(rows) == 4  # title, note, header, the one row


def test_a_matrix_page_evicted_from_the_cache_is_built_again(client, leader, county):
    client.force_login(leader)
    first = client.get(reverse("dashboards:matrix"))
    pages = [k.split(":", 2)[2] for k in list(cache._cache) if k.endswith(":0") and ":matrix:" in k]  # locmem's keys
    assert len(pages) == 1
    cache.delete(pages[0])  # the page's rows evicted, the count kept
    again = client.get(reverse("dashboards:matrix"))
    assert again.text.count('class="school-link"') == first.text.count('class="school-link"') == 6


def test_warming_after_a_recompute_lets_the_first_reader_skip_the_cold_build(
    client, leader, county, django_assert_max_num_queries
):
    from supervision.dashboards.warm import warm_dashboards

    assert warm_dashboards(county.pk) is True
    client.force_login(leader)
    client.get(reverse("home"))  # session and user loaded once, as for any reader already signed in
    with django_assert_max_num_queries(8):  # the cached page: no result rows read
        matrix = client.get(reverse("dashboards:matrix"))
    assert 'data-misses="1"' in matrix.text
    EvaluationState.objects.filter(round=county).update(data_version=F("data_version") + 1)  # an approval, not run
    assert warm_dashboards(county.pk) is False  # stale results are not warmed
