"""G14's tilt towards rural junior schools, and the precondition of recognition (basic balance ≥ 3 years before).

G14 (优质高中招生名额分配比例不低于50%，并向农村初中倾斜) is met only when the share is at least 50 % and the bureau
judges (yes, with evidence) that the places favour rural junior schools; the rural share is recorded and shown.
"""

from decimal import Decimal as D

from indicators.domain.evaluate import evaluate
from indicators.domain.guarantee import evaluate_county_item
from indicators.domain.inputs import CountyEntry, EvaluationInput, Precondition
from indicators.domain.standard import national_2017

from .builders import all_entries_met, school, survey_met

STD = national_2017()


def g14(**values):
    return evaluate_county_item(STD.indicators["G14"], CountyEntry("G14", values=values))


def test_g14_is_met_with_50_percent_and_the_tilt_judged_yes():
    item = g14(percent=D("55"), rural_percent=D("61"), rural_tilt=True)
    assert item.status == "met"
    assert item.parts["rural_percent"].value == D("61") and item.parts["rural_percent"].status == "met"


def test_g14_without_the_tilt_is_not_met_even_above_50_percent():
    item = g14(percent=D("55"), rural_percent=D("30"), rural_tilt=False)
    assert item.status == "not_met"
    assert item.parts["percent"].status == "met" and item.parts["rural_tilt"].status == "not_met"


def test_g14_below_50_percent_is_not_met_even_with_the_tilt():
    assert g14(percent=D("49.9"), rural_percent=D("61"), rural_tilt=True).status == "not_met"


def test_g14_with_only_the_percentage_is_no_data_until_the_tilt_is_judged():
    """An entry made before the tilt was asked for (percent only) is incomplete: no data, never met."""
    item = g14(percent=D("55"))
    assert item.status == "no_data" and item.reason == "incomplete_entry"


def _county(entries, precondition):
    schools = (school("A", primary=400), school("B", primary=400))
    return EvaluationInput(
        schools=schools,
        expected_school_codes=("A", "B"),
        county_entries=entries,
        survey=survey_met(),
        precondition=precondition,
    )


def test_the_precondition_failing_makes_the_county_not_passed_with_that_reason_first():
    """Evaluated school year 2024, basic balance recognised 2022: 2022 > 2024 − 3 = 2021, so it fails."""
    ev = evaluate(_county(all_entries_met(), Precondition(evaluation_year=2024, basic_balance_year=2022)))
    assert ev.passed is False
    assert ev.blocking[0].code == "P" and ev.blocking[0].reason == "precondition_not_met"
    assert ev.blocking[0].detail["required_by"] == 2021
    assert ev.precondition.status == "not_met"
    assert all(a.passed is not False for a in ev.areas.values())  # the areas alone would not have failed it


def test_the_precondition_passing_exactly_three_years_before():
    """Basic balance 2021 for school year 2024: 2021 ≤ 2021, met; the county passes on the rest."""
    ev = evaluate(_county(all_entries_met(), Precondition(evaluation_year=2024, basic_balance_year=2021)))
    assert ev.precondition.status == "met"
    assert not any(f.code == "P" for f in ev.blocking + ev.no_data)
    assert ev.passed is True


def test_an_unknown_recognition_year_leaves_the_verdict_open():
    ev = evaluate(_county(all_entries_met(), Precondition(evaluation_year=2024, basic_balance_year=None)))
    assert ev.passed is None and ev.provisional is True
    assert ev.no_data[0].code == "P" and ev.no_data[0].reason == "precondition_unknown"
    assert "P" not in ev.not_evaluated_codes
