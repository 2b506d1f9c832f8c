"""Scoring through the app (answers stored by the services, paper tallies, the provider) against a hand computation."""

from decimal import Decimal
from fractions import Fraction

from indicators.domain.survey import score_survey
from supervision.survey import selectors, services
from tests.survey.conftest import GROUPS, submit

ALL_TOP = ["very_satisfied"] * 6
MIXED = ["satisfied", "satisfied", "satisfied", "dissatisfied", "very_dissatisfied", "unknown"]
FIVE_OF_SIX = ["satisfied"] * 5 + ["dissatisfied"]
FAIRLY = ["fairly_satisfied"] * 6


def same(rate: Decimal, exact: Fraction) -> bool:
    """The pure scoring returns exact fractions as 50-digit Decimals."""
    return abs(Fraction(rate) - exact) < Fraction(1, 10**40)


def _fill(survey, principals: int = 30):
    submit(survey, "students", ALL_TOP, 20)
    submit(survey, "students", MIXED, 10, start=20)
    submit(survey, "parents", FIVE_OF_SIX, 25)
    services.paper_tally_add(
        survey=survey,
        group="parents",
        label="纸质问卷第1批",
        forms=5,
        counts={str(i): {"satisfied": 4, "dissatisfied": 1} for i in range(1, 7)},
        by=None,
    )
    for group in ("teachers", "npc_deputies", "cppcc_members", "residents"):
        submit(survey, group, FAIRLY, 30)
    submit(survey, "principals", FAIRLY, principals)


def test_the_overall_rate_matches_the_hand_computation(survey):
    _fill(survey)
    # students: 20 forms at 1 and 10 at 3/5 (不了解 left out of 5 answered items) → (20 + 6) / 30
    students = Fraction(26, 30)
    # parents: 25 online at 5/6 plus 5 paper forms at the pooled 24/30 → (125/6 + 4) / 30
    parents = (25 * Fraction(5, 6) + 5 * Fraction(24, 30)) / 30
    assert parents == Fraction(149, 180)
    overall = (students + parents + 5) / 7  # five groups answered everything 基本满意 → 1 each
    assert overall == Fraction(241, 252)

    tally = selectors.survey_tally(survey)
    rates = {g.key: g.rate for g in tally.groups}
    assert same(rates["students"].rate, students)
    assert rates["parents"].valid == 30 and rates["parents"].paper_forms == 5 and rates["parents"].online == 25
    assert same(rates["parents"].rate, parents)
    assert same(tally.result.rate, overall)
    assert tally.result.status == "met"
    assert tally.rate_pct == "95.63%"


def test_the_provider_gives_the_engine_the_same_answers(survey):
    _fill(survey)
    answers = selectors.survey_answers_for_year(2024)
    scoring = selectors.scoring_for_year(2024)
    assert len(answers.responses) == 30 * 6 + 25
    assert same(score_survey(answers, scoring).rate, Fraction(241, 252))
    assert set(scoring.groups) == set(GROUPS)


def test_a_group_short_of_thirty_valid_responses_makes_s1_no_data(survey):
    _fill(survey, principals=29)
    tally = selectors.survey_tally(survey)
    assert tally.result.status == "no_data"
    assert tally.result.short_groups == ("principals",)
    assert tally.short_names == ["校长"]
    assert tally.reference_rate is not None


def test_a_year_without_a_survey_gives_the_engine_nothing(school_year):
    assert selectors.survey_answers_for_year(2024) is None
