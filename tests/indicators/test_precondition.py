"""The precondition checked on the stored results: the county profile's basic-balance year against the school year.

School year 2024: basic balance must have been recognised in 2021 or earlier (2024 − 3).
"""

import pytest

from indicators import services as indicator_services
from indicators.models import EvaluationState
from indicators.selectors import result_document, summary_document
from schools.models import CountyProfile
from tests.factories import make_return, primary_figures


def _evaluate(official_round, ganlu_school, basic_balance_year):
    profile = CountyProfile.get()
    profile.basic_balance_year = basic_balance_year
    profile.save(update_fields=["basic_balance_year"])
    make_return(school=ganlu_school, round=official_round, status="approved", figures=primary_figures())
    indicator_services.mark_stale_now(round=official_round)
    indicator_services.recompute_round(round_id=official_round.pk)
    return EvaluationState.objects.get(round=official_round)


@pytest.mark.django_db
def test_a_county_recognised_too_recently_is_not_passed_with_that_reason_first(official_round, ganlu_school):
    state = _evaluate(official_round, ganlu_school, 2022)
    assert state.passed is False
    assert summary_document(state)["county"]["blocking"][0] == (
        "前提条件未满足：县域于2022年通过义务教育基本均衡发展认定，距评估学年（2024年）不足3年（须在2021年或以前通过）"
    )
    assert result_document(state)["county"]["blocking"][0]["code"] == "P"
    assert state.summary["county"]["precondition"]["status"] == "not_met"


@pytest.mark.django_db
def test_a_county_recognised_three_years_before_meets_the_precondition(official_round, ganlu_school):
    state = _evaluate(official_round, ganlu_school, 2021)
    assert state.summary["county"]["precondition"]["status"] == "met"
    assert not any(text.startswith("前提条件") for text in summary_document(state)["county"]["blocking"])
    county = result_document(state)["county"]
    assert not any(f["code"] == "P" for f in county["blocking"] + county["no_data"])


@pytest.mark.django_db
def test_an_unknown_recognition_year_is_listed_as_missing(official_round, ganlu_school):
    state = _evaluate(official_round, ganlu_school, None)
    assert state.passed is None and state.provisional is True
    assert state.summary["county"]["no_data"][0].startswith("前提条件：县域概况中未填写")
