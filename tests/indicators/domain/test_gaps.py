"""Gaps in natural units, the CV drivers and greedy steps, and costing them."""

from dataclasses import replace
from decimal import Decimal

from indicators.domain.costing import cost_gaps
from indicators.domain.cv import weighted_cv
from indicators.domain.gaps import Gap, check_gaps, cv_improvement, resource_gaps
from indicators.domain.guarantee import check_class_sizes, check_rooms, check_school_size
from indicators.domain.inputs import ClassFigures, SchoolFigures, SectionFigures
from indicators.domain.resource import evaluate_unit
from indicators.domain.sections import plan_sections
from indicators.domain.standard import national_2017

from .builders import rooms, school

D = Decimal
STD = national_2017()


def gaps_of(s: SchoolFigures) -> dict[tuple[str, str], Gap]:
    out = {}
    for unit in plan_sections([s], STD, "merge").units:
        for g in resource_gaps(evaluate_unit(unit, STD), STD):
            out[(g.section, g.code)] = g
    return out


def test_resource_gaps_are_teachers_m2_yuan_and_rooms_to_reach_each_threshold():
    s = SchoolFigures(
        "A",
        primary=SectionFigures(1010, 23, 60, 42, 11, 10, 60),
        teaching_area_m2=D(4000),
        sports_area_m2=D(8000),
        equipment_value_yuan=D("1999000"),
        multimedia_rooms=20,
    )
    g = gaps_of(s)
    assert set(g) == {("primary", c) for c in ("R1", "R4", "R6", "R7")}
    assert g[("primary", "R1")].quantity == 1 and g[("primary", "R1")].unit == "teachers"  # ceil(42.42) − 42
    assert g[("primary", "R4")].quantity == D(545) and g[("primary", "R4")].unit == "m2"  # 4.5 × 1010 − 4000
    assert g[("primary", "R6")].quantity == D(21000) and g[("primary", "R6")].unit == "yuan"  # 2000 × 1010 − 1999000
    assert g[("primary", "R7")].quantity == 4 and g[("primary", "R7")].unit == "rooms"  # ceil(23.23 − 20)


def test_a_split_sections_gap_is_the_gap_of_its_share():
    s = SchoolFigures(
        "N",
        kind="nine_year",
        primary=SectionFigures(166, 4, 10, 8, 2, 2, 10),
        junior=SectionFigures(210, 5, 15, 12, 3, 2, 15),
        teaching_area_m2=D(23226),
        sports_area_m2=D(3000),
        equipment_value_yuan=D(2000000),
        multimedia_rooms=9,
    )
    g = gaps_of(s)
    # primary share of 9 rooms: 9 × 166/397 = 3.763…; needed 2.3 × 1.66 = 3.818 → 1 room
    assert g[("primary", "R7")].quantity == 1
    # junior R5: 10.2 × 210 − 3000 × 231/397 = 396.4… m² (the primary share, 7.56 m² per student, is met)
    assert round(g[("junior", "R5")].quantity, 6) == round(D("10.2") * 210 - D(3000) * 231 / 397, 6)
    assert ("primary", "R5") not in g


def test_g3_g4_g5_gaps_are_rooms_students_and_classes():
    s = school("A", primary=2100, rooms=rooms(3, 5))
    g3 = check_gaps(check_rooms(s, STD))
    assert [(g.resource, g.quantity) for g in g3] == [("music_rooms", 1)]  # 47 classes → 4 rooms of each kind
    g4 = check_gaps(check_school_size(s, STD))
    assert [(g.resource, g.quantity, g.unit) for g in g4] == [("students_over_cap", 100, "students")]
    classes = (ClassFigures("primary", 3, "三(2)班", 68), ClassFigures("primary", 3, "三(3)班", 40))
    g5 = check_gaps(check_class_sizes(replace(s, classes=classes), STD))
    # grade 3: 68 + 40 = 108 pupils, ceil(108 / 45) = 3 classes, one more than the two it has
    assert [(g.detail["grade"], g.detail["over"], g.quantity, g.unit) for g in g5] == [(3, 23, 1, "classes")]


def test_g3_gap_uses_ceil_of_classes_over_12():
    s = school("A", primary=2100, rooms=rooms(4, 5))
    assert check_rooms(s, STD).detail["classes"] == 47 and check_rooms(s, STD).detail["required"] == 4
    assert check_rooms(replace(s, rooms=rooms(5, 5)), STD).status == "met"


def test_a_cv_over_its_limit_is_brought_down_by_raising_the_school_below_the_mean():
    # values 1, 3, 5 for 100 students each: mean 3, variance 8/3, CV = 0.5443 > 0.50
    rows = [("A", 100, D(1)), ("B", 100, D(3)), ("C", 100, D(5))]
    imp = cv_improvement("primary", "R4", rows, D("0.50"), per=1, unit="m2")
    assert round(imp.cv, 4) == D("0.5443")
    # only A is below the mean; raised to 3: values 3, 3, 5 → CV = 2√2 / 11 = 0.2571297…
    assert [(d.school_code, round(d.cv_if_raised, 5), d.added) for d in imp.drivers] == [("A", D("0.25713"), 200)]
    assert [(s.school_code, s.value_before, s.value_after, s.added) for s in imp.steps] == [("A", 1, 3, 200)]
    assert imp.reached and round(imp.steps[0].cv_after, 5) == D("0.25713")


def test_the_greedy_steps_raise_the_school_that_lowers_the_cv_most_until_within_the_limit():
    # 1, 1, 7: mean 3, CV 0.943. Step 1 raises A to 3 (CV 0.680, mean 11/3); step 2 raises B to 11/3, not A
    # again to 11/3 (which would leave the CV higher): values 3, 11/3, 7 → CV 0.384 ≤ 0.50.
    rows = [("A", 100, D(1)), ("B", 100, D(1)), ("C", 100, D(7))]
    imp = cv_improvement("primary", "R4", rows, D("0.50"), per=1)
    assert [s.school_code for s in imp.steps] == ["A", "B"]
    assert imp.steps[0].added == 200 and round(imp.steps[1].added, 6) == round(D(800) / 3, 6)
    check = weighted_cv([(100, D(3)), (100, D(11) / 3), (100, D(7))])
    assert round(imp.steps[1].cv_after, 20) == round(check.cv, 20)
    assert round(imp.steps[0].cv_after, 3) == D("0.680") and imp.reached
    assert round(imp.total_added, 6) == round(200 + D(800) / 3, 6)


def test_per_hundred_indicators_report_the_added_count_in_teachers():
    rows = [("A", 200, D(1)), ("B", 200, D(3)), ("C", 200, D(5))]  # teachers per 100 students
    imp = cv_improvement("primary", "R2", rows, D("0.50"), per=100, unit="teachers")
    assert imp.steps[0].added == 4  # 200 students × 2 per hundred


def test_a_cv_within_its_limit_needs_no_improvement():
    assert cv_improvement("primary", "R4", [("A", 10, D(1)), ("B", 10, D(3))], D("0.50")) is None


def test_the_steps_stop_at_max_steps_without_claiming_the_limit_reached():
    rows = [(f"S{i}", 100, D(1)) for i in range(30)] + [("BIG", 100, D(100))]
    imp = cv_improvement("junior", "R6", rows, D("0.45"), max_steps=3)
    assert len(imp.steps) == 3 and not imp.reached


UNIT_COSTS = {
    "teaching_building_yuan_per_m2": "3000",
    "teacher_yuan_per_year": 100000,
    "music_room_yuan": D(200000),
    "land_m2_per_m2_building": "0.5",
}


def test_costing_turns_gaps_into_money_land_and_posts():
    gaps = [
        Gap("R1", "A", "primary", "teachers_above_required", D(3), "teachers"),
        Gap("R3", "A", "primary", "teachers_pe_arts", D(2), "teachers"),
        Gap("R4", "A", "primary", "teaching_area_m2", D(500), "m2"),
        Gap("R6", "A", "primary", "equipment_value_yuan", D(100000), "yuan"),
        Gap("G3", "A", "", "music_rooms", D(1), "rooms", {"min_area_m2": D(96)}),
    ]
    c = cost_gaps(gaps, UNIT_COSTS)
    assert c.posts == 3  # R1 and R3 overlap: max(3, 2)
    assert c.money_recurring == 300000
    assert c.money_one_off == 500 * 3000 + 100000 + 200000
    assert c.land_m2 == 500 * D("0.5") + 96 * D("0.5")
    assert c.by_resource["teaching_area_m2"].money == 1500000
    assert c.money_total == c.money_one_off + c.money_recurring and c.uncosted == ()


def test_a_gap_without_a_unit_cost_is_listed_as_uncosted_not_dropped():
    gaps = [
        Gap("R5", "A", "primary", "sports_area_m2", D(800), "m2"),
        Gap("G4", "A", "", "students_over_cap", D(100), "students"),
    ]
    c = cost_gaps(gaps, UNIT_COSTS)
    assert [line.gap.code for line in c.uncosted] == ["R5", "G4"]
    assert c.money_total == 0 and c.by_resource["sports_area_m2"].uncosted == 1


def test_the_greedy_steps_become_gaps_that_costing_can_price():
    from indicators.domain.gaps import improvement_gaps

    rows = [("A", 100, D(1)), ("B", 100, D(1)), ("C", 100, D(7))]
    imp = cv_improvement("primary", "R4", rows, D("0.50"), per=1, unit="m2", figure="teaching_area_m2")
    gaps = improvement_gaps(imp)
    assert [(g.school_code, g.resource, g.unit) for g in gaps] == [
        ("A", "teaching_area_m2", "m2"),
        ("B", "teaching_area_m2", "m2"),
    ]
    assert gaps[0].quantity == 200
    priced = cost_gaps(gaps, UNIT_COSTS).money_one_off
    assert round(priced, 6) == round((200 + D(800) / 3) * 3000, 6)


def test_greedy_teacher_additions_are_rounded_up_to_whole_teachers():
    from indicators.domain.gaps import improvement_gaps

    rows = [("A", 130, D(1)), ("B", 130, D(3)), ("C", 130, D(5))]  # raising A adds 130 × 2 / 100 = 2.6 teachers
    imp = cv_improvement("primary", "R2", rows, D("0.50"), per=100, unit="teachers", figure="teachers_backbone")
    assert imp.steps[0].added == D("2.6")
    assert [(g.school_code, g.quantity) for g in improvement_gaps(imp)] == [("A", 3)]
