"""The seven resource values of a section and the 6-of-7 rule with its 85 % floor, judged on exact numbers."""

from decimal import Decimal

from indicators.domain.inputs import SchoolFigures, SectionFigures
from indicators.domain.resource import evaluate_unit
from indicators.domain.sections import plan_sections
from indicators.domain.standard import national_2017, standard_from_dict, standard_to_dict

D = Decimal
STD = national_2017()


def at_thresholds(**overrides) -> SchoolFigures:
    """1000 primary students with every figure exactly at its primary threshold."""
    values = {
        "code": "A",
        "primary": SectionFigures(1000, 23, 60, 42, 10, 9, 60),
        "teaching_area_m2": D(4500),
        "sports_area_m2": D(7500),
        "equipment_value_yuan": D(2000000),
        "multimedia_rooms": 23,
    }
    values.update(overrides)
    return SchoolFigures(**values)


def result(s: SchoolFigures, std=STD):
    (unit,) = plan_sections([s], std, "merge").units
    return evaluate_unit(unit, std)


def test_per_hundred_and_per_student_values_are_count_over_students():
    s = at_thresholds(primary=SectionFigures(800, 20, 50, 40, 12, 8, 50), sports_area_m2=D(6100))
    r = result(s).results
    assert r["R1"].value == 5  # 40 / 800 × 100
    assert r["R2"].value == D("1.5")
    assert r["R3"].value == 1
    assert r["R5"].value == D("7.625")  # 6100 / 800


def test_values_exactly_at_every_threshold_are_met_and_the_section_passes():
    r = result(at_thresholds())
    assert {c: x.status for c, x in r.results.items()} == dict.fromkeys(STD.resource_codes, "met")
    assert r.met_count == 7 and r.passed is True and r.status == "passed"


def test_a_split_value_exactly_at_its_threshold_is_met():
    # nine-year, 100 + 100 students: W = 100 + 110 = 210; 945 m² × 100/210 ÷ 100 = 4.5 exactly
    s = SchoolFigures(
        "N",
        kind="nine_year",
        primary=SectionFigures(100, 3, 8, 5, 1, 1, 8),
        junior=SectionFigures(100, 2, 8, 6, 1, 1, 8),
        teaching_area_m2=D(945),
    )
    units = {u.section: evaluate_unit(u, STD) for u in plan_sections([s], STD, "merge").units}
    assert units["primary"].results["R4"].value == D("4.5")
    assert units["primary"].results["R4"].status == "met"


def test_one_miss_at_exactly_85_percent_passes_within_tolerance():
    r = result(at_thresholds(teaching_area_m2=D("3825")))  # 3.825 = 85 % of 4.5
    r4 = r.results["R4"]
    assert r4.status == "not_met" and r4.within_tolerance and r4.display_status == "within_tolerance"
    assert r4.ratio == D("0.85")
    assert r.met_count == 6 and r.passed is True and r.status == "passed_within_tolerance"


def test_one_miss_just_under_85_percent_fails():
    r = result(at_thresholds(teaching_area_m2=D("3824.999")))
    assert r.results["R4"].status == "not_met" and not r.results["R4"].within_tolerance
    assert r.met_count == 6 and r.passed is False and r.status == "failed"


def test_two_misses_fail_even_when_both_are_within_the_floor():
    r = result(at_thresholds(teaching_area_m2=D("4400"), sports_area_m2=D("7400")))
    assert r.missed == ("R4", "R5")
    assert all(r.results[c].within_tolerance for c in r.missed)
    assert r.passed is False


def test_a_teacher_count_one_short_of_the_threshold_is_not_met():
    r = result(at_thresholds(primary=SectionFigures(1000, 23, 60, 41, 10, 9, 60)))
    assert r.results["R1"].value == D("4.1") and r.results["R1"].status == "not_met"


def test_an_unknown_figure_is_no_data_and_leaves_the_verdict_open():
    r = result(at_thresholds(equipment_value_yuan=None))
    assert r.results["R6"].status == "no_data" and r.results["R6"].value is None
    assert r.no_data == ("R6",)
    assert r.passed is None and r.status == "no_data"


def test_an_unknown_figure_does_not_hide_a_definite_failure():
    r = result(at_thresholds(equipment_value_yuan=None, teaching_area_m2=D(100)))
    assert r.passed is False


def test_thresholds_come_from_the_standard_given():
    d = standard_to_dict(STD)
    next(i for i in d["indicators"] if i["code"] == "R1")["thresholds"]["primary"] = "4.3"
    stricter = standard_from_dict(d)
    assert result(at_thresholds()).results["R1"].status == "met"
    assert result(at_thresholds(), stricter).results["R1"].status == "not_met"
