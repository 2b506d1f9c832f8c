"""The early-warning arithmetic, against numbers worked by hand (no database)."""

from decimal import Decimal

import pytest

from indicators.domain import forecast
from indicators.domain.forecast import Grade, SchoolGrades

CAPS = {"primary": 45, "junior": 50}


def test_each_cohort_moves_up_one_grade_in_the_classes_of_the_grade_below():
    # A primary school: grade 1 88 pupils in 2 classes, grade 2 90 in 2, grade 5 93 in 2.
    school = SchoolGrades(1, 10, {1: Grade(88, 2), 2: Grade(90, 2), 5: Grade(93, 2)})
    rows = forecast.next_year([school], caps=CAPS).grades[1]

    assert (rows[1].students, rows[1].classes) == (88, 2)  # grade 1 again from this year's grade 1
    assert (rows[2].students, rows[2].classes) == (88, 2)
    assert (rows[3].students, rows[3].classes) == (90, 2)
    # 93 pupils in 2 classes of at most 45 hold 90: 3 over, one more class needed; average 46.5.
    assert (rows[6].students, rows[6].over, rows[6].extra_classes) == (93, 3, 1)
    assert rows[6].average == Decimal("46.5")
    assert 5 not in rows and 4 not in rows  # nobody was in grades 3 and 4


def test_a_bureau_intake_estimate_replaces_this_years_grade_one():
    school = SchoolGrades(1, 10, {1: Grade(80, 2)})
    rows = forecast.next_year([school], caps=CAPS, intakes={1: 100}).grades[1]
    assert (rows[1].students, rows[1].classes, rows[1].over, rows[1].extra_classes) == (100, 2, 10, 1)


def test_grade_seven_is_the_townships_grade_six_split_by_the_junior_schools_grade_seven_shares():
    # Township 10: two primary schools with 70 + 47 = 117 pupils in grade 6; two junior schools whose grade 7 has
    # 120 and 60 pupils now (shares 2/3 and 1/3): 117 × 2/3 = 78, 117 × 1/3 = 39.
    # Township 20's grade 6 (30 pupils) stays in township 20, which has no junior school: unplaced.
    schools = [
        SchoolGrades(1, 10, {6: Grade(70, 2)}),
        SchoolGrades(2, 10, {6: Grade(47, 1)}),
        SchoolGrades(3, 10, {7: Grade(120, 3)}),
        SchoolGrades(4, 10, {7: Grade(60, 2)}),
        SchoolGrades(5, 20, {6: Grade(30, 1)}),
    ]
    result = forecast.next_year(schools, caps=CAPS)
    assert result.grades[3][7].students == 78 and result.grades[3][7].classes == 3
    assert result.grades[4][7].students == 39
    assert result.grades[3][7].over == 0  # 78 in 3 classes of 50
    assert result.unplaced == {20: 30}
    assert 7 not in result.grades[1]


def test_a_nine_year_schools_own_grade_six_joins_the_township_pool():
    # One nine-year school (grade 6: 101, grade 7: 100 in 2 classes) and a junior school (grade 7: 100).
    # Pool 101 split 1:1 → 51 and 50 (largest remainder to the first on a tie).
    schools = [
        SchoolGrades(1, 10, {6: Grade(101, 3), 7: Grade(100, 2)}),
        SchoolGrades(2, 10, {7: Grade(100, 2)}),
    ]
    grades = forecast.next_year(schools, caps=CAPS).grades
    assert grades[1][7].students + grades[2][7].students == 101
    assert {grades[1][7].students, grades[2][7].students} == {51, 50}


def test_every_grade_of_a_nine_year_school_moves_up_in_grade_order():
    # School 1 now: grade 1 one class with no pupil listed, grade 3 46 in 1 class, grade 7 60 in 2, grade 8 101 in 2,
    # grade 9 90 in 2 (they leave). School 2 (same township, primary): grade 6 55 in 2, which all go to school 1's
    # grade 7, the township's only one. Caps 45 / 50.
    # Next year, school 1: grade 1 again 0 pupils in 1 class (a class is a row even without pupils); grade 2 the
    # same from grade 1; grade 4 46 in 1 → 1 over the 45, one more class; grade 7 the pool of 55 in its 2 classes
    # (fits 100); grade 8 60 in 2; grade 9 101 in 2 → 1 over 100, ⌈101 / 50⌉ − 2 = 1 more class.
    schools = [
        SchoolGrades(1, 10, {1: Grade(0, 1), 3: Grade(46, 1), 7: Grade(60, 2), 8: Grade(101, 2), 9: Grade(90, 2)}),
        SchoolGrades(2, 10, {6: Grade(55, 2)}),
    ]
    result = forecast.next_year(schools, caps=CAPS)
    rows = result.grades[1]
    assert list(rows) == [1, 2, 4, 7, 8, 9]
    assert [(g.grade, g.students, g.classes, g.cap) for g in rows.values()] == [
        (1, 0, 1, 45),
        (2, 0, 1, 45),
        (4, 46, 1, 45),
        (7, 55, 2, 50),
        (8, 60, 2, 50),
        (9, 101, 2, 50),
    ]
    assert [(g.over, g.extra_classes) for g in rows.values()] == [(0, 0), (0, 0), (1, 1), (0, 0), (0, 0), (1, 1)]
    assert rows[1].average == 0 and rows[9].average == Decimal("50.5")
    assert result.grades[2] == {} and result.unplaced == {}
    with pytest.raises(AttributeError):  # a forecast row cannot be changed once made
        rows[4].students = 45


def test_split_by_shares_loses_and_invents_no_pupil():
    assert forecast.split_by_shares(10, {1: 1, 2: 1, 3: 1}) == {1: 4, 2: 3, 3: 3}
    assert forecast.split_by_shares(0, {1: 5}) == {1: 0}
    assert forecast.split_by_shares(7, {}) == {}


def test_project_places_absorb_the_pupils_over_the_cap():
    assert forecast.over_after_projects(12, 5) == 7
    assert forecast.over_after_projects(12, 45) == 0


def test_per_student_area_falls_below_the_threshold_as_enrolment_grows():
    # 5.0 m² per pupil × 400 pupils = 2,000 m²; the class list grows from 400 to 460 pupils: 2000 / 460 = 4.3478…
    projected = forecast.per_student_next(value=Decimal("5.0"), students=400, now_listed=400, next_listed=460)
    assert projected.quantize(Decimal("0.0001")) == Decimal("4.3478")
    assert projected < Decimal("4.5")
    # A 200 m² extension finished before then: 2200 / 460 = 4.7826…, above 4.5 again.
    with_project = forecast.per_student_next(
        value=Decimal("5.0"), students=400, now_listed=400, next_listed=460, added=Decimal("200")
    )
    assert with_project.quantize(Decimal("0.0001")) == Decimal("4.7826")


def test_growth_is_scaled_from_the_class_list_when_stored_students_include_merged_points():
    # Stored section students 500 (teaching points merged), class list 400 → 440 (+10%): 5.0 × 500 / 550 = 4.5454…
    projected = forecast.per_student_next(value=Decimal("5.0"), students=500, now_listed=400, next_listed=440)
    assert projected.quantize(Decimal("0.0001")) == Decimal("4.5455")
    assert forecast.per_student_next(value=Decimal("5"), students=0, now_listed=400, next_listed=440) is None


def test_close_means_met_and_less_than_ten_percent_above_the_threshold():
    t = Decimal("4.5")
    assert forecast.is_close(status="met", value=Decimal("4.9"), threshold=t)  # 4.9 < 4.95
    assert not forecast.is_close(status="met", value=Decimal("4.95"), threshold=t)  # exactly 10% above: not close
    assert not forecast.is_close(status="not_met", value=Decimal("4.4"), threshold=t)
    assert forecast.heat_class(status="met", value=Decimal("4.5"), threshold=t) == "close"
    assert forecast.heat_class(status="met", value=Decimal("6"), threshold=t) == "met"
    assert forecast.heat_class(status="within_tolerance", value=Decimal("4"), threshold=t) == "not-met"
    assert forecast.heat_class(status="no_data", value=None, threshold=t) == "no-data"
    # The stored status decides: a met flag on a value that reads below the threshold stays met (close).
    assert forecast.heat_class(status="met", value=Decimal("4.4999"), threshold=t) == "close"
