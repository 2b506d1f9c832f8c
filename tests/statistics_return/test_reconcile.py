"""The reconciliation page: differences figure by figure, flips first, resolutions, the closed year, the export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from gongqing.roles import Role
from indicators.reconcile.selectors import reconciliation
from schools.statistics.models import Resolution
from tests.statistics_return.reconcile_setup import make_county


@pytest.fixture
def setup(personas, ganlu, jiangyi, official_round):
    return make_county(ganlu=ganlu, jiangyi=jiangyi, official_round=official_round)


def test_a_difference_that_flips_a_verdict_is_listed_first_with_the_indicator_it_changes(setup):
    rec = reconciliation(year=2024)
    first, second = rec.rows
    assert first.school == setup["a"] and first.flips
    assert (first.portal_verdict, first.statistics_verdict) == (True, False)
    ((diff, changed, _res),) = first.differences
    assert diff.figure == "teaching_area_m2"
    assert (diff.portal, diff.statistics, diff.diff) == (2600, 1500, 1100)
    assert diff.percent.quantize(1) == 73  # 1100 / 1500 × 100 = 73.3 %
    assert changed == [("R4", "primary", "met", "not_met")]
    # B: only the pupils differ (the 40 yuan of equipment are below 0.01 万元); no flip.
    assert not second.flips
    ((diff, changed, _res),) = second.differences
    assert (diff.figure, diff.diff, diff.percent.quantize(__import__("decimal").Decimal("0.01"))) == (
        "primary_students",
        -5,
        __import__("decimal").Decimal("-1.23"),
    )
    assert changed == []


def test_the_page_lists_the_flip_first_and_resolves_one_of_each_kind(setup, login, personas):
    client = login(personas[Role.BUREAU_STAFF])
    url = reverse("indicators:reconcile", args=[2024])
    page = client.get(url).content.decode()
    assert page.index("甘露镇甲小学") < page.index("江益镇乙小学")
    assert "R4（小学）：达标 → 未达标" in page and "通过 → 未通过" in page
    resolve = reverse("indicators:reconcile_resolve", args=[2024])
    a, b = setup["a"], setup["b"]
    client.post(resolve, {"school": a.pk, "figure": "teaching_area_m2", "kind": "statistics", "text": ""})
    client.post(
        resolve, {"school": b.pk, "figure": "primary_students", "kind": "explained", "text": "5名学生9月后转入"}
    )
    kinds = dict(Resolution.objects.values_list("school__code", "kind"))
    assert kinds == {a.code: "statistics", b.code: "explained"}
    client.post(resolve, {"school": a.pk, "figure": "teaching_area_m2", "kind": "portal", "text": ""})
    assert Resolution.objects.get(school=a).kind == "portal"
    # "Explained" needs its text: refused, nothing changed.
    client.post(resolve, {"school": b.pk, "figure": "primary_students", "kind": "explained", "text": " "})
    assert Resolution.objects.get(school=b).text == "5名学生9月后转入"


def test_to_correct_in_the_statistics_system_is_not_offered_for_a_closed_year(setup, login, personas):
    client = login(personas[Role.BUREAU_STAFF])
    url = reverse("indicators:reconcile", args=[2024])
    assert 'value="statistics"' in client.get(url).content.decode()
    client.post(reverse("statistics:close", args=[setup["stat_year"].pk]), {"closed": "1"})
    page = client.get(url).content.decode()
    assert 'value="statistics"' not in page and 'value="portal"' in page and 'value="explained"' in page
    resolve = reverse("indicators:reconcile_resolve", args=[2024])
    client.post(resolve, {"school": setup["a"].pk, "figure": "teaching_area_m2", "kind": "statistics"})
    assert not Resolution.objects.exists()
    assert "已由省级关账" in client.get(url).content.decode()


def test_the_export_has_one_row_per_difference_flips_first(setup, login, personas):
    client = login(personas[Role.LEADERSHIP])
    response = client.get(reverse("indicators:reconcile_export", args=[2024]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows] == [
        ("2136000201", "教学及辅助用房面积（平方米）", 2600, 1500, 1100),
        ("2136000202", "小学在校生数", 400, 405, -5),
    ]
    assert rows[0][9:11] == ("通过", "未通过")


def test_township_officials_and_department_officers_are_refused(setup, login, personas):
    for persona in ("ganlu_official", "jiangyi_official", Role.DEPARTMENT_OFFICER):
        client = login(personas[persona])
        assert client.get(reverse("indicators:reconcile", args=[2024])).status_code == 403
        assert client.get(reverse("indicators:reconcile_export", args=[2024])).status_code == 403
        assert client.get("/api/v1/statistics-differences/", {"school_year": 2024}).status_code == 403


def test_the_api_gives_the_differences_to_the_municipal_system(setup, login, personas):
    client = login(personas[Role.API_CLIENT])
    data = client.get("/api/v1/statistics-differences/", {"school_year": 2024}).json()
    assert data["count"] == 2
    first = data["results"][0]
    assert first["school_code"] == "2136000201" and first["school_flips"] is True
    assert first["changed"] == [{"code": "R4", "section": "primary", "before": "met", "after": "not_met"}]
    assert client.get("/api/v1/statistics-differences/", {"school_year": 2030}).status_code == 404
    assert client.get("/api/v1/statistics-differences/", {"school_year": "x"}).status_code == 400


@pytest.mark.parametrize("extra", [0, 12])
def test_the_page_s_queries_do_not_grow_with_the_schools(
    personas, ganlu, jiangyi, official_round, login, extra, django_assert_max_num_queries
):
    make_county(ganlu=ganlu, jiangyi=jiangyi, official_round=official_round, extra_schools=extra)
    client = login(personas[Role.BUREAU_STAFF])
    with django_assert_max_num_queries(28):
        response = client.get(reverse("indicators:reconcile", args=[2024]))
    assert response.status_code == 200


def test_fresh_stored_results_give_the_same_reconciliation_with_less_evaluation(setup, official_round):
    from indicators.models import EvaluationState
    from indicators.services import mark_stale_now, recompute_round

    def summary(rec):
        rows = [
            (r.school.code, r.portal_verdict, r.statistics_verdict, [(d.figure, c) for d, c, _r in r.differences])
            for r in rec.rows
        ]
        return rec.county_portal, rec.county_statistics, rows

    full = summary(reconciliation(year=2024))  # no stored results: the whole county evaluated both ways
    mark_stale_now(round=official_round)
    recompute_round(round_id=official_round.pk)
    state = EvaluationState.objects.get(round=official_round)
    assert state.computed_version == state.data_version
    assert summary(reconciliation(year=2024)) == full


def test_the_group_re_evaluated_holds_a_changed_school_s_parent_and_teaching_points():
    from indicators.domain.inputs import SchoolFigures
    from indicators.reconcile.compare import affected_group

    schools = [
        SchoolFigures(code="P"),
        SchoolFigures(code="T1", kind="teaching_point", parent_code="P"),
        SchoolFigures(code="T2", kind="teaching_point", parent_code="P"),
        SchoolFigures(code="Q"),
    ]
    assert affected_group(schools, {"T1"}) == {"P", "T1", "T2"}
    assert affected_group(schools, {"Q"}) == {"Q"}
