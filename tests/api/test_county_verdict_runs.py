"""The county verdict's blocking findings are stored in runs of their own (indicators.domain.chunks), not whole in the
result document: the API joins them back, for one round or a page of rounds, in one query for all of them."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongqing.roles import Role
from indicators import loading, selectors, services, storing
from indicators.domain.serialize import evaluation_to_json_dict
from indicators.models import EvaluationState
from tests.api.conftest import body
from tests.factories import RoundFactory, SchoolFactory, make_return, primary_figures


@pytest.fixture
def city(bearer, personas):
    return bearer(personas[Role.API_CLIENT], "read")


def _failing_county(rnd, township, n=3):
    """n schools whose areas and equipment are half the threshold: each fails the 6-of-7 rule (a blocking finding)."""
    for i in range(n):
        figures = primary_figures(students=300 + 40 * i)
        for name in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan"):
            figures[name] = (figures[name] / 4).quantize(Decimal("0.01"))
        school = SchoolFactory(code=f"21369{rnd.school_year.year}{i}", township=township)
        make_return(school=school, round=rnd, status="approved", figures=figures)
    services.mark_stale_now(round=rnd)
    services.recompute_round(round_id=rnd.pk)
    return EvaluationState.objects.get(round=rnd)


def _expected_county(rnd) -> dict:
    """The county part of a from-scratch evaluation, as stored JSON reads back (Decimals as their digits' text)."""
    inp, _meta = loading.evaluation_input(round=rnd)
    return json.loads(storing.json_text(evaluation_to_json_dict(loading.evaluate(inp))["county"]))


@pytest.mark.django_db
def test_the_stored_county_names_its_blocking_runs_and_the_document_joins_them_back(official_round, ganlu):
    state = _failing_county(official_round, ganlu)
    assert state.result["county"]["blocking"] is None  # not stored whole
    assert state.result["runs"]["blocking"]
    county = selectors.result_document(state)["county"]
    expected = _expected_county(official_round)
    assert county == expected
    assert len(county["blocking"]) >= 3 and {f["reason"] for f in county["blocking"]} >= {"school_rule"}
    assert list(county) == list(expected)  # the keys in the order the document always had
    assert selectors.counties([state]) == {official_round.pk: county}


@pytest.mark.django_db
def test_the_api_gives_the_joined_blocking_findings_in_one_query_for_a_page_of_rounds(city, official_round, ganlu):
    state = _failing_county(official_round, ganlu)
    verdict = body(city.get(f"/api/v1/county-verdicts/{official_round.pk}/"))
    whole = selectors.result_document(state)["county"]
    assert [(f["code"], f["school"], f["reason"]) for f in verdict["county"]["blocking"]] == [
        (f["code"], f["school"], f["reason"]) for f in whole["blocking"]
    ]
    assert verdict["county"]["passed"] is False

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = city.get("/api/v1/county-verdicts/")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(body(response)["results"])

    one, rounds = queries()
    assert rounds == 1
    later = RoundFactory(school_year__year=official_round.school_year.year + 1)
    _failing_county(later, ganlu, n=2)
    two, rounds = queries()
    assert rounds == 2 and two == one
    listed = {v["round"]: v["county"] for v in body(city.get("/api/v1/county-verdicts/"))["results"]}
    assert len(listed[later.pk]["blocking"]) >= 2
    assert [f["school"] for f in listed[official_round.pk]["blocking"]] == [f["school"] for f in whole["blocking"]]


@pytest.mark.django_db
def test_the_api_summary_gives_the_joined_sentences(official_round, ganlu, bearer, personas):
    _failing_county(official_round, ganlu)
    api = bearer(personas[Role.API_CLIENT], "read")
    verdict = body(api.get(f"/api/v1/county-verdicts/{official_round.pk}/"))
    assert verdict["summary"]["blocking"] == _sentences(official_round)
    listed = body(api.get("/api/v1/county-verdicts/"))["results"]
    assert [v["summary"]["blocking"] for v in listed] == [_sentences(official_round)]


def _sentences(rnd) -> list[str]:
    inp, meta = loading.evaluation_input(round=rnd)
    return storing.summary(loading.evaluate(inp), meta)["county"]["blocking"]
