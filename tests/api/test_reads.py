"""Reads: exact decimals, ETag polling, constant query counts, filters, one error shape, docs without inline script."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongqing.roles import Role
from indicators.models import EvaluationState, SchoolResult, SectionCV, SectionVerdict
from tests.api.conftest import body
from tests.factories import SchoolFactory, make_return

RESULTS = "/api/v1/school-results/"


@pytest.fixture
def city(bearer, personas):
    return bearer(personas[Role.API_CLIENT], "read")


@pytest.fixture
def evaluated(official_round):
    return EvaluationState.objects.create(
        round=official_round,
        data_version=3,
        computed_version=3,
        computed_at=timezone.now(),
        passed=False,
        provisional=False,
        summary={
            "county": {"blocking": ["R3 生均教学仪器设备值：小学校际差异系数0.62，超过0.50"], "no_data": []},
            "completeness": {"missing_schools": []},
            "informational_mean_cv": {"primary": "0.233854"},
            "areas": [],
            "counts": {"primary": {"passed": 1, "failed": 0}},
        },
        result={
            "standard": {"code": "national-2017", "version": "2017", "label": "国家标准（2017）"},
            "completeness": {"complete": True, "schools_expected": 2, "schools_with_figures": 2, "missing_schools": []},
            "county": {
                "passed": False,
                "blocking": [
                    {
                        "code": "R3",
                        "reason": "cv_over_limit",
                        "school": None,
                        "section": "primary",
                        "detail": {"cv": "0.62", "limit": "0.50"},
                    }
                ],
                "no_data": [],
                "not_evaluated": [],
            },
            "areas": {"resource": {"passed": False, "blocking": 1, "no_data": 0}},
        },
    )


def _result(school, rnd, code="R1", value="0.233854", status="met"):
    return SchoolResult.objects.create(
        round=rnd,
        school=school,
        section="primary",
        code=code,
        value=Decimal(value),
        threshold=Decimal("4.2"),
        status=status,
        detail={"ratio": "1.0123", "unit": "人"},
    )


def test_decimals_come_out_as_json_numbers_from_their_own_digits(city, evaluated, ganlu_school):
    _result(ganlu_school, evaluated.round)
    response = city.get(RESULTS, {"round": evaluated.round_id})
    text = response.content.decode()
    assert '"value":0.233854,' in text
    assert '"threshold":4.200000' in text
    assert '"ratio":1.0123' in text and '"unit":"人"' in text
    row = body(response)["results"][0]
    assert row["value"] == Decimal("0.233854") and row["met"] is True

    verdict = body(city.get(f"/api/v1/county-verdicts/{evaluated.round_id}/"))
    assert verdict["summary"]["informational_mean_cv"] == {"primary": Decimal("0.233854")}
    assert verdict["county"]["blocking"][0]["detail"] == {"cv": Decimal("0.62"), "limit": Decimal("0.50")}
    assert verdict["standard"]["version"] == "2017"  # codes and versions stay text
    assert verdict["completeness"]["schools_expected"] == 2 and verdict["stale"] is False


def test_a_poll_with_the_etag_or_the_date_gets_304_until_a_recompute(city, evaluated, ganlu_school):
    _result(ganlu_school, evaluated.round)
    url = f"{RESULTS}?round={evaluated.round_id}"
    first = city.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = city.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert city.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    for path in ("/api/v1/section-results/", "/api/v1/section-verdicts/", "/api/v1/county-verdicts/"):
        validators = city.get(f"{path}?round={evaluated.round_id}")["ETag"]
        assert city.get(f"{path}?round={evaluated.round_id}", HTTP_IF_NONE_MATCH=validators).status_code == 304

    EvaluationState.objects.filter(pk=evaluated.pk).update(computed_version=4)
    changed = city.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/schools/",
        "/api/v1/returns/",
        "/api/v1/school-results/",
        "/api/v1/section-verdicts/",
        "/api/v1/section-results/",
        "/api/v1/townships/",
        "/api/v1/county-verdicts/",
    ],
)
def test_list_endpoints_make_as_many_queries_for_30_schools_as_for_5(city, evaluated, ganlu, path):
    def add_schools(n):
        for _i in range(n):
            school = SchoolFactory(township=ganlu)
            make_return(school=school, round=evaluated.round)
            _result(school, evaluated.round)
            _result(school, evaluated.round, code="R2")
            SectionVerdict.objects.create(round=evaluated.round, school=school, section="primary", status="passed")
        SectionCV.objects.create(round=evaluated.round, section="primary", code=f"R{n}", limit=Decimal("0.5"))

    add_schools(5)
    city.get(path)  # the token's last use is written once a minute: not part of what is counted
    few = _count_queries(city, f"{path}?page_size=500")
    add_schools(25)
    many = _count_queries(city, f"{path}?page_size=500")
    assert few == many, f"{path}: {few} queries for 5 schools, {many} for 30"
    assert many <= 8


def test_filters_narrow_the_results(city, evaluated, ganlu_school, jiangyi_school):
    _result(ganlu_school, evaluated.round, code="R1", status="met")
    _result(jiangyi_school, evaluated.round, code="R1", status="not_met")
    _result(jiangyi_school, evaluated.round, code="R2", status="met")

    def codes(**params):
        rows = body(city.get(RESULTS, params))["results"]
        return sorted((r["school_code"], r["code"]) for r in rows)

    assert codes(township=jiangyi_school.township_id) == [(jiangyi_school.code, "R1"), (jiangyi_school.code, "R2")]
    assert codes(met="false") == [(jiangyi_school.code, "R1")]
    assert codes(code="R2", year=2024) == [(jiangyi_school.code, "R2")]
    assert codes(year=2023) == []
    ordered = body(city.get(RESULTS, {"ordering": "-code"}))["results"]
    assert ordered[0]["code"] == "R2"
    schools = body(city.get("/api/v1/schools/", {"search": "江益"}))["results"]
    assert [s["code"] for s in schools] == [jiangyi_school.code]


def test_township_officials_do_not_read_county_results(login, ganlu_official, evaluated):
    client = login(ganlu_official)
    for path in (RESULTS, "/api/v1/county-verdicts/", "/api/v1/standards/", "/api/v1/county-entries/"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "data", "status", "code"),
    [
        ("get", "/api/v1/schools/999999/", None, 404, "not_found"),
        ("get", "/api/v1/schools/?kind=castle", None, 400, "invalid"),
        ("get", "/api/v1/schools/?page=99", None, 404, "not_found"),
        ("get", "/api/v1/schools/?page=x", None, 400, "invalid"),
        ("get", "/api/v1/schools/?page_size=0", None, 400, "invalid"),
        ("get", "/api/v1/schools/abc/", None, 404, "not_found"),
        ("get", "/api/v1/county-verdicts/1e9/", None, 404, "not_found"),
        ("get", "/api/v1/schools/99999999999999999999999/", None, 404, "not_found"),
        ("get", "/api/v1/schools/?township=99999999999999999999999", None, 400, "invalid"),
        ("get", "/api/v1/school-results/?round=abc", None, 400, "invalid"),
        ("get", "/api/v1/county-verdicts/12345/", None, 404, "not_found"),
        ("put", "/api/v1/returns/1/", "{}", 405, "method_not_allowed"),
        ("delete", "/api/v1/schools/1/", None, 405, "method_not_allowed"),
        ("post", "/api/v1/returns/", "{not json", 400, "parse_error"),
        ("post", "/api/v1/returns/", '{"school": NaN}', 400, "parse_error"),
        ("post", "/api/v1/returns/", "[1, 2]", 400, "invalid"),
    ],
)
def test_bad_requests_get_the_error_shape_never_a_500(
    bearer, personas, ganlu_school, official_round, method, path, data, status, code
):
    api = bearer(personas[Role.API_CLIENT], "read", "returns:write")
    kwargs = {"data": data, "content_type": "application/json"} if data is not None else {}
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == status, response.content
    error = body(response)["error"]
    assert error["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", error["message"]), error["message"]


def test_page_size_is_capped_at_500(city, ganlu):
    SchoolFactory.create_batch(3, township=ganlu)
    data = body(city.get("/api/v1/schools/", {"page_size": 2}))
    assert (data["count"], len(data["results"])) == (3, 2) and data["next"]
    assert len(body(city.get("/api/v1/schools/", {"page_size": 100000}))["results"]) == 3


def test_a_client_over_its_rate_gets_429(city, settings, ganlu_school):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_read": "3/minute", "api_write": "3/minute"},
    }
    statuses = [city.get("/api/v1/schools/").status_code for _i in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = city.get("/api/v1/schools/")
    assert body(response)["error"]["code"] == "throttled" and int(response["Retry-After"]) > 0


def test_schema_and_docs_need_a_login_or_a_token(api, login, city, personas):
    assert api.__class__(enforce_csrf_checks=True).get("/api/schema/").status_code == 401
    schema = city.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/returns/{id}/submit/" in schema.content
    docs = login(personas[Role.AUDITOR]).get("/api/docs/")
    assert docs.status_code == 200


def test_the_docs_page_has_no_inline_script_and_serves_its_assets_itself(login, personas):
    html = login(personas[Role.LEADERSHIP]).get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    assert all('src="/static/' in attrs and not inner.strip() for attrs, inner in scripts)
    assert "<style" not in html and " style=" not in html
    assert "http://" not in html and "https://" not in html
