"""S1 scoring: a response's share in the top three levels, group means, weighted groups, 30 valid per group."""

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from indicators.domain.standard import national_2017
from indicators.domain.survey import (
    PaperTally,
    SurveyAnswers,
    given_survey_result,
    response_satisfaction,
    score_survey,
    survey_response,
)

D = Decimal
SCORING = national_2017().survey
TWO_GROUPS = replace(SCORING, groups={"students": D(1), "parents": D(1)})

VS, S, FS, DS, VD, UN = (
    "very_satisfied",
    "satisfied",
    "fairly_satisfied",
    "dissatisfied",
    "very_dissatisfied",
    "unknown",
)


def test_a_response_counts_the_top_three_levels_over_the_answered_items():
    # 很满意, 基本满意, 不满意, 不了解 → 2 of 3 answered items are satisfied
    assert response_satisfaction([VS, FS, DS, UN], SCORING) == Fraction(2, 3)
    assert response_satisfaction([VD, DS], SCORING) == 0
    assert response_satisfaction([UN, None], SCORING) is None  # nothing answered: not a valid response


def test_the_worked_survey_example():
    # students: 20 fully satisfied + 10 at 2/4 → (20 + 5) / 30 = 5/6
    # parents: 18 responses at 3/3 and 12 at 2/3 (不了解 left out) → (18 + 8) / 30 = 13/15
    students = [survey_response("students", VS, S, FS, FS)] * 20 + [survey_response("students", VS, S, DS, VD)] * 10
    parents = [survey_response("parents", S, S, S)] * 18 + [survey_response("parents", S, UN, S, DS)] * 12
    result = score_survey(SurveyAnswers(tuple(students + parents)), TWO_GROUPS)
    assert result.groups["students"].valid == 30 and round(result.groups["students"].rate, 20) == round(D(5) / D(6), 20)
    assert round(result.groups["parents"].rate, 6) == round(D(13) / D(15), 6)
    # overall: equal weights → (5/6 + 13/15) / 2 = 0.85 exactly, which meets the threshold
    assert result.rate == D("0.85")
    assert result.status == "met" and result.passed is True


def test_group_weights_change_the_overall_rate():
    students = [survey_response("students", VS)] * 30
    parents = [survey_response("parents", DS)] * 30
    weighted = replace(TWO_GROUPS, groups={"students": D(3), "parents": D(1)})
    assert score_survey(SurveyAnswers(tuple(students + parents)), TWO_GROUPS).rate == D("0.5")
    assert score_survey(SurveyAnswers(tuple(students + parents)), weighted).rate == D("0.75")


def test_a_group_with_fewer_than_30_valid_responses_makes_the_result_no_data():
    students = [survey_response("students", VS)] * 30
    parents = [survey_response("parents", VS)] * 29 + [survey_response("parents", UN)] * 5
    result = score_survey(SurveyAnswers(tuple(students + parents)), TWO_GROUPS)
    assert result.status == "no_data" and result.rate is None
    assert result.short_groups == ("parents",)
    assert result.groups["parents"].valid == 29


def test_the_default_scoring_needs_all_seven_groups():
    only_students = SurveyAnswers(tuple([survey_response("students", VS)] * 100))
    result = score_survey(only_students, SCORING)
    assert result.status == "no_data" and len(result.short_groups) == 6


def test_paper_tallies_count_as_forms_with_their_pooled_share():
    # 30 paper forms, 2 items: item 1: 24 satisfied of 30; item 2: 27 satisfied of 30 → pooled 51/60 = 0.85
    tally = PaperTally(
        "parents",
        {"q1": {VS: 10, S: 10, FS: 4, DS: 6}, "q2": {S: 20, FS: 7, VD: 3, UN: 0}},
        forms=30,
    )
    students = [survey_response("students", VS)] * 30
    result = score_survey(SurveyAnswers(tuple(students), (tally,)), TWO_GROUPS)
    assert result.groups["parents"].paper_forms == 30 and result.groups["parents"].rate == D("0.85")
    assert result.rate == D("0.925")


def test_paper_forms_default_to_the_most_answered_item_and_mix_with_online_responses():
    tally = PaperTally("parents", {"q1": {VS: 20, UN: 3}, "q2": {S: 10, DS: 10, UN: 3}})
    online = [survey_response("parents", DS)] * 10 + [survey_response("students", VS)] * 30
    result = score_survey(SurveyAnswers(tuple(online), (tally,)), TWO_GROUPS)
    g = result.groups["parents"]
    assert g.paper_forms == 20 and g.online == 10 and g.valid == 30
    # paper share 30/40 = 0.75 for 20 forms, online 0 for 10 → 15 / 30
    assert g.rate == D("0.5")


def test_a_rate_just_under_85_percent_is_not_met():
    students = [survey_response("students", VS)] * 30
    parents = (
        [survey_response("parents", VS)] * 20
        + [survey_response("parents", VS, DS)] * 2
        + [survey_response("parents", DS)] * 8
    )
    result = score_survey(SurveyAnswers(tuple(students + parents)), TWO_GROUPS)
    # parents (20 + 1) / 30 = 0.7 → overall 0.85 exactly: met; one more dissatisfied answer tips it under
    assert result.status == "met"
    worse = parents[:-1] + [survey_response("parents", DS, DS)] + [survey_response("parents", VS, DS, DS)]
    result = score_survey(SurveyAnswers(tuple(students + worse)), TWO_GROUPS)
    assert result.rate < D("0.85") and result.status == "not_met"


def test_a_given_rate_is_judged_against_the_threshold():
    assert given_survey_result("0.85", SCORING).status == "met"
    assert given_survey_result(D("0.8499"), SCORING).status == "not_met"
    assert given_survey_result(None, SCORING).status == "no_data"
