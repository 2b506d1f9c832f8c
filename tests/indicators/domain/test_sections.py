"""Combined schools split into sections by weighted enrolment; teaching points placed by the policy."""

from decimal import Decimal

import pytest

from indicators.domain.inputs import SchoolFigures, SectionFigures
from indicators.domain.resource import evaluate_unit
from indicators.domain.sections import apportion, plan_sections
from indicators.domain.standard import national_2017

from .builders import school, section

D = Decimal
STD = national_2017()


def test_a_nine_year_school_splits_shared_area_166_to_210_as_9711_6_and_13514_4():
    s = SchoolFigures(
        "N", kind="nine_year", primary=section(166), junior=section(210, "junior"), teaching_area_m2=23226
    )
    split = apportion(s, STD)
    # weights 1 : 1.1 → primary 166 / (166 + 231) = 166/397
    assert round(split["primary"]["teaching_area_m2"].amount, 1) == D("9711.6")
    assert round(split["junior"]["teaching_area_m2"].amount, 1) == D("13514.4")
    assert round(split["primary"]["teaching_area_m2"].amount + split["junior"]["teaching_area_m2"].amount, 20) == 23226
    units = {u.section: evaluate_unit(u, STD) for u in plan_sections([s], STD, "merge").units}
    assert round(units["primary"].results["R4"].value, 2) == D("58.50")
    assert round(units["junior"].results["R4"].value, 2) == D("64.35")


def test_a_complete_secondary_school_gives_its_junior_section_b_over_b_plus_1_2c():
    s = SchoolFigures(
        "C", kind="complete_secondary", junior=section(600, "junior"), senior_students=500, sports_area_m2=12000
    )
    split = apportion(s, STD)
    assert set(split) == {"junior"}
    assert split["junior"]["sports_area_m2"].amount == D(12000) * 600 / (600 + D("1.2") * 500)  # = 6000


def test_a_twelve_year_school_weights_its_sections_1_to_1_1_to_1_32():
    s = SchoolFigures(
        "T",
        kind="twelve_year",
        primary=section(100),
        junior=section(100, "junior"),
        senior_students=100,
        equipment_value_yuan=3420000,
    )
    split = apportion(s, STD)
    assert split["primary"]["equipment_value_yuan"].amount == 1000000  # 3.42M × 1 / 3.42
    assert split["junior"]["equipment_value_yuan"].amount == 1100000  # 3.42M × 1.1 / 3.42


def test_an_unknown_senior_enrolment_leaves_the_split_resources_unknown():
    s = SchoolFigures("C", kind="complete_secondary", junior=section(600, "junior"), teaching_area_m2=5000)
    assert apportion(s, STD)["junior"]["teaching_area_m2"] is None


def test_a_section_with_no_students_is_not_evaluated_and_listed():
    s = school("N", "nine_year", primary=300, junior=0)
    plan = plan_sections([s], STD, "merge")
    assert [u.section for u in plan.units] == ["primary"]
    assert ("N", "junior", "no_students") in [(n.school_code, n.section, n.reason) for n in plan.not_evaluated]
    # all shared resources went to the primary section: nothing was divided by zero
    assert plan.units[0].share == 1


def test_a_section_a_combined_school_does_not_have_is_not_a_row():
    s = school("N", "nine_year", primary=300)
    plan = plan_sections([s], STD, "merge")
    assert [u.section for u in plan.units] == ["primary"]
    assert [(n.section, n.reason) for n in plan.not_evaluated] == [("junior", "no_section")]


def test_special_schools_are_excluded_from_area_one():
    s = SchoolFigures("S", kind="special", special_students=40)
    plan = plan_sections([s], STD, "merge")
    assert plan.units == ()
    assert [(n.school_code, n.reason) for n in plan.not_evaluated] == [("S", "special_school")]


def _point(code="TP", students=30, parent="P", **kw):
    return school(code, "teaching_point", primary=students, parent_code=parent, location="rural", **kw)


def test_merge_adds_a_point_to_its_parents_primary_section_and_gives_it_no_row():
    parent = school("P", primary=400)
    point = _point(teaching_area_m2=D("150.5"))
    plan = plan_sections([parent, point], STD, "merge")
    assert [u.school_code for u in plan.units] == ["P"]
    unit = plan.units[0]
    assert unit.students == 430
    assert unit.teachers_backbone == parent.primary.teachers_backbone + point.primary.teachers_backbone
    assert unit.resources["teaching_area_m2"].amount == parent.teaching_area_m2 + D("150.5")
    assert unit.merged_points == ("TP",)
    assert plan.merged == {"P": ("TP",)}
    assert ("TP", "merged_into_parent") in [(n.school_code, n.reason) for n in plan.not_evaluated]


def test_merge_under_a_nine_year_parent_adds_the_point_after_the_parents_own_split():
    parent = SchoolFigures(
        "N", kind="nine_year", primary=section(166), junior=section(210, "junior"), teaching_area_m2=23226
    )
    point = _point(parent="N", students=20, teaching_area_m2=D(100))
    units = {u.section: u for u in plan_sections([parent, point], STD, "merge").units}
    # the parent's split is unchanged by the point (166 : 231), then the point's whole area is added
    assert round(units["primary"].resources["teaching_area_m2"].amount, 10) == round(D(23226) * 166 / 397 + 100, 10)
    assert round(units["junior"].resources["teaching_area_m2"].amount, 10) == round(D(23226) * 231 / 397, 10)
    assert units["primary"].students == 186 and units["junior"].students == 210
    r4 = evaluate_unit(units["primary"], STD).results["R4"].value
    assert round(r4, 4) == round((D(23226) * 166 / 397 + 100) / 186, 4)


def test_merge_with_no_parent_figures_reports_the_point_as_no_data():
    plan = plan_sections([_point(parent="GONE")], STD, "merge")
    assert plan.units == ()
    assert [(f.school_code, f.reason) for f in plan.no_data] == [("TP", "parent_missing")]


def test_exclude_small_leaves_out_points_under_50_and_evaluates_larger_ones_as_primary_schools():
    parent = school("P", primary=400)
    small, large = _point("TS", 49), _point("TL", 50)
    plan = plan_sections([parent, small, large], STD, "exclude_small")
    assert [u.school_code for u in plan.units] == ["P", "TL"]
    assert plan.units[0].students == 400  # nothing merged
    assert ("TS", "small_teaching_point") in [(n.school_code, n.reason) for n in plan.not_evaluated]
    assert plan.units[1].section == "primary"


def test_include_evaluates_every_point_as_a_primary_school():
    parent = school("P", primary=400)
    plan = plan_sections([parent, _point("T1", 5), _point("T2", 80)], STD, "include")
    assert [(u.school_code, u.section, u.students) for u in plan.units] == [
        ("P", "primary", 400),
        ("T1", "primary", 5),
        ("T2", "primary", 80),
    ]


@pytest.mark.parametrize("policy", ["merge", "exclude_small", "include"])
def test_an_unknown_enrolment_gives_a_row_whose_values_are_no_data(policy):
    s = SchoolFigures("U", primary=SectionFigures(students=None, teachers=3), teaching_area_m2=100)
    plan = plan_sections([s], STD, policy)
    result = evaluate_unit(plan.units[0], STD)
    assert {r.status for r in result.results.values()} == {"no_data"}
    assert result.passed is None
