"""School-level items (G3–G7, G12, Q4), entered county items and S1."""

from dataclasses import replace
from decimal import Decimal

import pytest

from indicators.domain.gaps import check_gaps
from indicators.domain.guarantee import (
    check_certified_teachers,
    check_class_sizes,
    check_rooms,
    check_school_size,
    check_small_school_funding,
    check_special_funding,
    check_training_funds,
    evaluate_county_item,
    evaluate_school_items,
    survey_item,
)
from indicators.domain.inputs import ClassFigures, CountyEntry, RoomFigures, SchoolFigures, SectionFigures
from indicators.domain.standard import national_2017

from .builders import rooms, school, section

D = Decimal
STD = national_2017()


# --- G3 rooms -------------------------------------------------------------------------------------------------


def test_g3_needs_one_room_of_each_kind_per_12_classes_of_the_minimum_area():
    s = school("A", primary=1000, classes=(), rooms=rooms(3, 2) + (RoomFigures("art", D("89.9")),))
    s = replace(s, primary=replace(s.primary, classes=25))  # the return's class count
    check = check_rooms(s, STD)
    assert check.detail["classes"] == 25 and check.detail["required"] == 3  # ceil(25 / 12)
    assert check.detail["music"]["status"] == "met"
    assert check.detail["art"]["qualifying"] == 2 and check.detail["art"]["missing"] == 1
    assert check.detail["art"]["undersized"] == [D("89.9")]
    assert check.status == "not_met"


def test_g3_needs_at_least_one_room_of_each_kind_even_for_a_small_school():
    s = school("A", primary=40, rooms=rooms(1, 0))
    check = check_rooms(s, STD)
    assert check.detail["required"] == 1
    assert check.detail["art"]["missing"] == 1 and check.status == "not_met"
    assert check_rooms(replace(s, rooms=rooms(1, 1)), STD).status == "met"


def test_g3_counts_a_music_room_of_exactly_96_m2():
    s = school("A", primary=40, rooms=rooms(1, 1, music_area="96", art_area="90"))
    assert check_rooms(s, STD).status == "met"


def test_g3_with_a_room_of_unknown_area_is_no_data_unless_the_known_rooms_suffice():
    s = school("A", primary=40, rooms=(RoomFigures("music", None), RoomFigures("art", D(95))))
    assert check_rooms(s, STD).status == "no_data"
    enough = replace(s, rooms=(*rooms(1, 1), RoomFigures("music", None)))
    assert check_rooms(enough, STD).status == "met"


def test_g3_counts_all_compulsory_classes_of_a_nine_year_school():
    s = school("N", "nine_year", primary=540, junior=300)  # 12 + 6 classes → 2 rooms of each kind
    check = check_rooms(replace(s, rooms=rooms(1, 1)), STD)
    assert check.detail["classes"] == 18 and check.detail["required"] == 2 and check.status == "not_met"


# --- G4 school size -------------------------------------------------------------------------------------------


def test_g4_caps_a_primary_school_at_2000_students():
    assert check_school_size(school("A", primary=2000), STD).status == "met"
    over = check_school_size(school("A", primary=2001), STD)
    assert over.status == "not_met" and over.detail["over"] == 1


def test_g4_caps_a_nine_year_school_at_2500_compulsory_students():
    assert check_school_size(school("N", "nine_year", primary=1500, junior=1000), STD).status == "met"
    assert check_school_size(school("N", "nine_year", primary=1500, junior=1001), STD).status == "not_met"


def test_g4_counts_only_the_junior_students_of_a_complete_secondary_school():
    s = school("C", "complete_secondary", junior=1900, senior=3000)
    check = check_school_size(s, STD)
    assert check.value == 1900 and check.status == "met"


def test_g4_exempts_teaching_points_and_special_schools():
    assert check_school_size(school("T", "teaching_point", primary=3000, parent_code="A"), STD) is None
    assert check_school_size(SchoolFigures("S", kind="special", special_students=3000), STD) is None


# --- G5 class size --------------------------------------------------------------------------------------------


def test_g5_names_each_class_over_its_cap_with_its_size_and_the_students_over():
    classes = (
        ClassFigures("primary", 1, "一(1)班", 45),
        ClassFigures("primary", 2, "二(1)班", 91),
        ClassFigures("junior", 7, "七(1)班", 50),
        ClassFigures("junior", 8, "八(2)班", 56),
    )
    s = school("N", "nine_year", primary=136, junior=106, classes=classes)
    check = check_class_sizes(s, STD)
    assert check.status == "not_met"
    assert [(c["name"], c["students"], c["over"]) for c in check.detail["offending"]] == [
        ("二(1)班", 91, 46),
        ("八(2)班", 56, 6),
    ]
    assert [(g["grade"], g["classes"], g["students"], g["extra_classes"]) for g in check.detail["grades"]] == [
        (2, 1, 91, 2),  # ceil(91 / 45) − 1 class
        (8, 1, 56, 1),  # ceil(56 / 50) − 1
    ]


def test_g5_counts_the_classes_to_add_per_grade_not_per_oversized_class():
    """Grade 3: 46 + 46 + 40 = 132 pupils, ceil(132 / 45) = 3 classes → none to add, re-divide (2 pupils over).
    Grade 4: 46 + 46 + 46 = 138 pupils, ceil(138 / 45) = 4 classes → one to add, not three."""
    classes = (
        ClassFigures("primary", 3, "三(1)班", 46),
        ClassFigures("primary", 3, "三(2)班", 46),
        ClassFigures("primary", 3, "三(3)班", 40),
        ClassFigures("primary", 4, "四(1)班", 46),
        ClassFigures("primary", 4, "四(2)班", 46),
        ClassFigures("primary", 4, "四(3)班", 46),
    )
    check = check_class_sizes(school("A", primary=270, classes=classes), STD)
    assert check.status == "not_met" and len(check.detail["offending"]) == 5
    assert [(g["grade"], g["students"], g["over"], g["extra_classes"]) for g in check.detail["grades"]] == [
        (3, 132, 2, 0),
        (4, 138, 3, 1),
    ]
    gaps = check_gaps(check)
    assert [(g.section, g.resource, g.quantity) for g in gaps] == [
        ("primary", "extra_classes", 0),
        ("primary", "extra_classes", 1),
    ]


def test_g5_without_a_class_list_is_no_data():
    s = school("A", primary=300, classes=())
    check = check_class_sizes(s, STD)
    assert check.status == "no_data" and check.reason == "class_list_missing"


def test_g5_is_met_when_every_class_is_within_its_cap():
    assert check_class_sizes(school("A", primary=450), STD).status == "met"


# --- G6 small schools -----------------------------------------------------------------------------------------


def test_g6_funds_a_rural_primary_school_under_100_students_as_if_it_had_100():
    s = school("V", primary=80, location="rural", public_funds_yuan=D(65000))
    check = check_small_school_funding(s, STD)
    assert check.threshold == 65000 and check.status == "met"  # 100 × 650
    short = check_small_school_funding(replace(s, public_funds_yuan=D(64999)), STD)
    assert short.status == "not_met" and short.detail["missing"] == 1


def test_g6_does_not_apply_to_urban_or_larger_schools():
    assert check_small_school_funding(school("U", primary=80, location="urban"), STD) is None
    assert check_small_school_funding(school("V", primary=100, location="rural"), STD) is None


def test_g6_checks_a_point_with_its_own_funds_by_itself():
    p = school("T", "teaching_point", primary=20, parent_code="V", public_funds_yuan=D(70000))
    assert check_small_school_funding(p, STD).status == "met"


def test_g6_checks_a_point_funded_through_its_parent_on_the_parents_funds():
    parent = school("V", primary=300, location="town", public_funds_yuan=D(260000))
    point = school("T", "teaching_point", primary=20, parent_code="V", public_funds_yuan=None)
    # parent's own floor 300 × 650 = 195000, plus the point's 100 × 650 = 65000 → 260000
    check = check_small_school_funding(point, STD, parent, [point])
    assert check.detail["through_parent"] == "V" and check.threshold == 260000 and check.status == "met"
    short = check_small_school_funding(point, STD, replace(parent, public_funds_yuan=D(259999)), [point])
    assert short.status == "not_met" and short.detail["missing"] == 1


def test_g6_through_the_parent_is_worked_out_by_evaluate_school_items():
    parent = school("V", primary=300, location="town", public_funds_yuan=D(200000))
    point = school("T", "teaching_point", primary=20, parent_code="V", public_funds_yuan=None)
    items = evaluate_school_items([parent, point], STD, "merge")
    assert items["G6"].applicable == 1
    assert items["G6"].status == "not_met" and items["G6"].failing[0].school_code == "T"


# --- G7, G12, Q4 ----------------------------------------------------------------------------------------------


def test_g7_needs_6000_yuan_per_special_school_student():
    s = SchoolFigures("S", kind="special", special_students=10, public_funds_yuan=D(60000))
    assert check_special_funding(s, STD).status == "met"
    short = check_special_funding(replace(s, public_funds_yuan=D(59999)), STD)
    assert short.status == "not_met" and short.value == D("5999.9")
    assert check_special_funding(school("A", primary=100), STD) is None


def test_g12_needs_every_teacher_of_every_section_certified():
    s = school("N", "nine_year", primary=300, junior=300)
    assert check_certified_teachers(s, STD).status == "met"
    one_short = replace(s, junior=replace(s.junior, teachers_certified=s.junior.teachers - 1))
    check = check_certified_teachers(one_short, STD)
    assert check.status == "not_met" and check.detail["uncertified"] == 1 and check.value < 100


def test_g12_counts_a_special_schools_own_teachers():
    """A special school has no sections; it returns 18 full-time teachers, 17 certified: 17 / 18 = 94.44% < 100%,
    so G12 is not met with one teacher to certify, and the county item fails although every other school is met."""
    special = SchoolFigures(
        "S", kind="special", special_students=60, special_teachers=18, special_teachers_certified=17
    )
    check = check_certified_teachers(special, STD)
    assert check.status == "not_met"
    assert check.detail == {"teachers": 18, "certified": 17, "uncertified": 1}
    assert check.value.quantize(D("0.01")) == D("94.44")
    items = evaluate_school_items([school("A", primary=300), special], STD, "merge")
    assert items["G12"].status == "not_met" and [c.school_code for c in items["G12"].failing] == ["S"]
    assert check_certified_teachers(replace(special, special_teachers_certified=18), STD).status == "met"
    unknown = check_certified_teachers(replace(special, special_teachers=None), STD)
    assert unknown.status == "no_data"


def test_g12_checks_a_teaching_point_itself_whatever_the_policy():
    parent = school("P", primary=300)
    point = school("T", "teaching_point", primary=20, parent_code="P")
    point = replace(point, primary=replace(point.primary, teachers=3, teachers_certified=2))
    for policy in ("merge", "exclude_small", "include"):
        items = evaluate_school_items([parent, point], STD, policy)
        assert [c.school_code for c in items["G12"].failing] == ["T"]


def test_q4_needs_training_funds_of_at_least_5_percent_of_public_funds():
    s = school("A", primary=300, public_funds_yuan=D(200000), training_funds_yuan=D(10000))
    assert check_training_funds(s, STD).status == "met"
    short = check_training_funds(replace(s, training_funds_yuan=D(9999)), STD)
    assert short.status == "not_met" and short.detail["missing"] == 1
    assert check_training_funds(replace(s, training_funds_yuan=None), STD).status == "no_data"


# --- teaching points in G3/G4 ---------------------------------------------------------------------------------


def test_under_merge_a_points_students_count_toward_its_parents_size():
    parent = school("P", primary=1990)
    point = school("T", "teaching_point", primary=20, parent_code="P")
    merged = evaluate_school_items([parent, point], STD, "merge")
    assert merged["G4"].status == "not_met" and merged["G4"].failing[0].value == 2010
    for policy in ("exclude_small", "include"):
        items = evaluate_school_items([parent, point], STD, policy)
        assert items["G4"].status == "met"
        assert "T" not in [c.school_code for c in items["G3"].schools + items["G4"].schools]


def test_under_merge_a_points_classes_count_toward_its_parents_rooms():
    parent = school("P", primary=540, rooms=rooms(1, 1))  # 12 classes → 1 room each
    point = school("T", "teaching_point", primary=20, parent_code="P", rooms=())
    assert evaluate_school_items([parent, point], STD, "merge")["G3"].status == "not_met"  # 13 classes → 2
    assert evaluate_school_items([parent, point], STD, "include")["G3"].status == "met"


def test_under_merge_a_point_without_parent_figures_is_no_data_for_g3_and_g4():
    point = school("T", "teaching_point", primary=20, parent_code="GONE")
    items = evaluate_school_items([point], STD, "merge")
    assert items["G3"].status == "no_data" and items["G4"].status == "no_data"


def test_g5_checks_a_teaching_point_itself_under_merge():
    parent = school("P", primary=300)
    point = school(
        "T", "teaching_point", primary=50, parent_code="P", classes=(ClassFigures("primary", 1, "复式班", 50),)
    )
    items = evaluate_school_items([parent, point], STD, "merge")
    assert [c.school_code for c in items["G5"].failing] == ["T"]


def test_an_item_with_no_applicable_school_is_met():
    items = evaluate_school_items([school("A", primary=300)], STD, "merge")
    assert items["G7"].status == "met" and items["G7"].applicable == 0


# --- county entries -------------------------------------------------------------------------------------------


def item(code, **values):
    return evaluate_county_item(STD.indicators[code], CountyEntry(code, values=values))


def test_a_county_item_without_an_entry_is_no_data():
    r = evaluate_county_item(STD.indicators["G1"], None)
    assert r.status == "no_data" and r.reason == "no_entry" and r.passed is None


def test_a_yes_no_item_is_met_only_by_yes_and_may_be_given_as_the_single_value():
    assert item("G1", met=True).status == "met"
    assert item("G1", met="否").status == "not_met"
    assert evaluate_county_item(STD.indicators["Q8"], CountyEntry("Q8", value=True)).status == "met"


def test_g8_needs_teacher_pay_at_least_civil_servant_pay_and_performance_pay_budgeted():
    assert item("G8", teacher_pay=D(100000), civil_servant_pay=D(100000), performance_pay_budgeted=True).status == "met"
    assert item("G8", teacher_pay=D(99999), civil_servant_pay=D(100000), performance_pay_budgeted=True).status == (
        "not_met"
    )
    assert item("G8", teacher_pay=D(120000), civil_servant_pay=D(100000), performance_pay_budgeted=False).status == (
        "not_met"
    )
    assert item("G8", teacher_pay=D(120000), performance_pay_budgeted=True).status == "no_data"


def test_g9_needs_100_percent():
    assert item("G9", percent=100).status == "met"
    assert item("G9", percent=D("99.9")).status == "not_met"


def test_g11_needs_10_percent_rotated_and_20_percent_of_them_backbone():
    assert item("G11", rotated_percent=10, backbone_percent=20).status == "met"
    r = item("G11", rotated_percent=12, backbone_percent="19.5")
    assert r.status == "not_met" and r.parts["backbone_percent"].status == "not_met"


def test_g13_needs_primary_100_and_junior_95_percent():
    assert item("G13", primary_percent=100, junior_percent=95).status == "met"
    assert item("G13", primary_percent=D("99.5"), junior_percent=99).status == "not_met"


def test_g14_g15_q1_q2_percent_thresholds():
    tilt = {"rural_percent": 60, "rural_tilt": True}  # G14 also needs the tilt judged (test_precondition_and_g14)
    assert item("G14", percent=50, **tilt).status == "met" and item("G14", percent=49, **tilt).status == "not_met"
    assert item("G15", percent=85, care_system=True).status == "met"
    assert item("G15", percent=90, care_system=False).status == "not_met"
    assert item("Q1", percent=95).status == "met" and item("Q1", percent=D("94.99")).status == "not_met"
    assert item("Q2", percent=D("96.2")).status == "met"


def test_q9_needs_level_iii_or_above_and_a_difference_rate_under_0_15():
    assert item("Q9", level="Ⅲ", difference_rate=D("0.149")).status == "met"
    assert item("Q9", level=4, difference_rate=D("0.15")).status == "not_met"  # strictly below 0.15
    assert item("Q9", level="II", difference_rate=D("0.10")).status == "not_met"


def test_a_veto_entry_saying_yes_blocks_and_no_clears():
    assert item("V1", occurred=True).status == "not_met"
    assert item("V1", occurred=False).status == "met"
    assert item("V2").status == "no_data"


def test_an_unreadable_part_is_no_data_not_a_crash():
    r = item("G9", percent="about ninety")
    assert r.status == "no_data" and r.reason == "incomplete_entry"


@pytest.mark.parametrize(("result", "status"), [(None, "no_data")])
def test_s1_without_a_survey_is_no_data(result, status):
    assert survey_item(result).status == status


def test_section_builder_meets_every_teacher_threshold():
    # guard for the builders the other tests rely on
    f = section(1000)
    assert isinstance(f, SectionFigures) and f.teachers_above_required * 100 / 1000 >= D("4.2")


def test_g6_of_a_point_whose_parent_has_no_figures_is_no_data():
    point = school("T", "teaching_point", primary=20, parent_code="GONE", public_funds_yuan=None)
    items = evaluate_school_items([point], STD, "include")
    assert items["G6"].status == "no_data" and items["G6"].lacking[0].reason == "public_funds_unknown"
