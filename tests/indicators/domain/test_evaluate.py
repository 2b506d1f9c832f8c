"""A whole county evaluated: verdicts, completeness, provisional results and what blocks recognition."""

from dataclasses import replace
from decimal import Decimal

from indicators.domain.evaluate import evaluate
from indicators.domain.inputs import ClassFigures, CountyEntry, EvaluationInput
from indicators.domain.standard import national_2017
from indicators.domain.survey import SurveyAnswers, survey_response

from .builders import all_entries_met, school, survey_met

D = Decimal
STD = national_2017()


def county():
    """A small realistic county: urban primary, village primary with a teaching point, junior, nine-year school."""
    return [
        school("3604820001", primary=1200, name="茶山街道中心小学"),
        school(
            "3604820002",
            primary=80,
            location="rural",
            name="泽泉乡村小",
            public_funds_yuan=D(140000),
            training_funds_yuan=D(8400),
        ),
        school("3604820003", "junior", junior=900, name="江益中学"),
        school("3604820004", "nine_year", primary=600, junior=450, name="甘露镇九年一贯制学校"),
        school(
            "3604820005",
            "teaching_point",
            primary=30,
            location="rural",
            parent_code="3604820002",
            name="泽泉乡教学点",
            public_funds_yuan=None,
            training_funds_yuan=None,
        ),
    ]


def run(schools=None, expected=None, entries=None, survey="met", policy="merge"):
    schools = county() if schools is None else schools
    expected = tuple(s.code for s in schools) if expected is None else expected
    return evaluate(
        EvaluationInput(
            schools=tuple(schools),
            expected_school_codes=expected,
            county_entries=all_entries_met() if entries is None else entries,
            survey=survey_met() if survey == "met" else survey,
            standard=STD,
            teaching_point_policy=policy,
        )
    )


def test_a_complete_county_meeting_everything_passes():
    ev = run()
    assert ev.passed is True and ev.provisional is False
    assert ev.completeness.complete and ev.completeness.label == "5 of 5 schools"
    assert ev.blocking == () and ev.no_data == ()
    assert {a: v.passed for a, v in ev.areas.items()} == dict.fromkeys(
        ("resource", "guarantee", "quality", "social", "veto"), True
    )
    rows = {(r.school_code, r.section): r for r in ev.section_results}
    assert set(rows) == {
        ("3604820001", "primary"),
        ("3604820002", "primary"),
        ("3604820003", "junior"),
        ("3604820004", "primary"),
        ("3604820004", "junior"),
    }
    assert rows[("3604820002", "primary")].unit.merged_points == ("3604820005",)
    assert rows[("3604820002", "primary")].unit.students == 110
    assert all(r.passed for r in rows.values())
    assert set(ev.sections) == {"primary", "junior"} and ev.sections["primary"].n_units == 3
    assert ev.items["G6"].applicable == 2 and ev.items["G6"].status == "met"  # the village school and its point


def test_the_result_records_the_policy_and_the_standard_version():
    ev = run(policy="include")
    assert ev.policy == "include"
    assert ev.standard_code == "national-2017" and ev.standard_version == "2017"
    assert ("3604820005", "primary") in [(r.school_code, r.section) for r in ev.section_results]


def test_a_missing_school_makes_the_evaluation_provisional_and_never_passed():
    ev = run(expected=(*(s.code for s in county()), "3604820099"))
    assert ev.provisional is True and ev.passed is None
    assert ev.completeness.missing_schools == ("3604820099",)
    assert ev.completeness.label == "5 of 6 schools"
    assert ev.areas["resource"].passed is None and ev.areas["veto"].passed is True


def test_a_missing_county_entry_is_no_data_and_leaves_the_verdict_open():
    entries = all_entries_met()
    del entries["G10"]
    ev = run(entries=entries)
    assert ev.items["G10"].status == "no_data"
    assert ev.passed is None and ev.provisional is True
    assert ev.completeness.missing_items == ("G10",)
    assert ev.not_evaluated_codes == ("G10",)
    assert ev.areas["guarantee"].passed is None and ev.areas["resource"].passed is True


def test_no_survey_leaves_s1_as_no_data():
    ev = run(survey=None)
    assert ev.items["S1"].status == "no_data" and "S1" in ev.completeness.missing_items and ev.passed is None


def test_a_definite_failure_fails_the_county_even_while_provisional():
    schools = county()
    schools[0] = replace(schools[0], teaching_area_m2=D(100), sports_area_m2=D(100))
    entries = all_entries_met()
    del entries["Q3"]
    ev = run(schools=schools, entries=entries)
    assert ev.provisional is True and ev.passed is False
    (finding,) = [f for f in ev.blocking if f.code == "R"]
    assert finding.school_code == "3604820001" and finding.detail["missed"] == ["R4", "R5"]


def test_a_veto_blocks_recognition():
    entries = all_entries_met()
    entries["V3"] = CountyEntry("V3", values={"occurred": True}, note="设有重点班")
    ev = run(entries=entries)
    assert ev.passed is False and ev.areas["veto"].passed is False
    assert [(f.code, f.reason) for f in ev.blocking] == [("V3", "veto")]


def test_an_oversized_class_blocks_and_is_named():
    schools = county()
    extra = ClassFigures("junior", 8, "八(3)班", 56)
    schools[2] = replace(schools[2], classes=(*schools[2].classes, extra))
    ev = run(schools=schools)
    assert ev.passed is False
    (finding,) = ev.blocking
    assert finding.code == "G5" and finding.school_code == "3604820003"
    assert finding.detail["offending"][0]["name"] == "八(3)班" and finding.detail["offending"][0]["over"] == 6
    assert [g.resource for g in ev.gaps] == ["extra_classes"]


def dispersed_county():
    """Five primary schools meeting every threshold; only equipment per student is spread out (CV 0.97)."""
    schools = [school(f"36048201{i:02d}", primary=500) for i in range(5)]
    equipment = [2100, 2100, 2100, 2100, 12000]
    return [replace(s, equipment_value_yuan=D(e * 500)) for s, e in zip(schools, equipment, strict=True)]


def test_the_zonghe_mean_is_informational_one_cv_over_its_limit_fails_the_county():
    ev = run(schools=dispersed_county())
    table = ev.sections["primary"]
    assert table.status["R6"] == "not_met" and round(table.stats["R6"].cv, 4) == D("0.9706")
    assert table.informational_mean_cv < D("0.2")
    assert all(table.status[c] == "met" for c in ("R1", "R2", "R3", "R4", "R5", "R7"))
    assert ev.passed is False
    assert [(f.code, f.reason, f.section) for f in ev.blocking] == [("R6", "cv_over_limit", "primary")]
    improvement = ev.cv_improvements[("primary", "R6")]
    assert improvement.reached and improvement.steps and improvement.unit == "yuan"


def test_a_cv_over_its_limit_while_schools_are_missing_is_not_a_definite_failure():
    schools = dispersed_county()
    ev = run(schools=schools, expected=(*(s.code for s in schools), "3604820199"))
    assert [(f.code, f.definite) for f in ev.blocking] == [("R6", False)]
    assert ev.passed is None


def test_a_section_with_no_students_is_listed_and_does_not_block():
    schools = county()
    schools[3] = school("3604820004", "nine_year", primary=600, junior=0)
    ev = run(schools=schools)
    assert ("3604820004", "junior", "no_students") in [(n.school_code, n.section, n.reason) for n in ev.not_evaluated]
    assert ev.passed is True


def test_raw_survey_answers_are_scored_with_the_standards_rules():
    groups = national_2017().survey.groups
    responses = tuple(survey_response(g, "satisfied", "very_satisfied") for g in groups for _ in range(30))
    ev = run(survey=SurveyAnswers(responses))
    assert ev.survey.rate == 1 and ev.items["S1"].status == "met" and ev.passed is True
    short = run(survey=SurveyAnswers(responses[:-1]))
    assert short.items["S1"].status == "no_data" and short.passed is None


def test_an_unknown_figure_makes_its_cv_no_data_and_the_county_provisional():
    schools = county()
    schools[0] = replace(schools[0], multimedia_rooms=None)
    ev = run(schools=schools)
    assert ev.sections["primary"].status["R7"] == "no_data"
    assert ev.sections["primary"].missing["R7"] == ("3604820001",)
    assert ev.provisional is True and ev.passed is None
    assert ev.not_evaluated_codes == ("R7",)
    assert ("R", "3604820001", "primary") in [(f.code, f.school_code, f.section) for f in ev.no_data]


def test_gaps_are_collected_for_every_unmet_threshold():
    schools = county()
    schools[0] = replace(schools[0], teaching_area_m2=D(5000))  # 1200 students need 5400 m²
    ev = run(schools=schools)
    (gap,) = ev.gaps
    assert (gap.code, gap.school_code, gap.quantity, gap.unit) == ("R4", "3604820001", 400, "m2")
    assert ev.section_results[0].status == "passed_within_tolerance" and ev.passed is True


def test_the_garbage_collector_is_resumed_after_an_evaluation_and_left_off_if_it_was_off():
    import gc

    from indicators.domain.gcpause import gc_paused

    assert gc.isenabled()
    run()
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        run()  # nested: the inner run must not resume collection early
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        run()
        assert not gc.isenabled()
    finally:
        gc.enable()
