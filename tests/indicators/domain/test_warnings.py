"""The early warnings computed from plain rows (indicators.domain.warnings), with hand-worked figures."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.domain import warnings
from indicators.domain.forecast import MIN, Grade, SchoolGrades


@dataclass
class Info:
    school_id: int
    code: str
    name: str
    township_id: int
    township: str
    township_order: int


def _inputs(**overrides):
    a = Info(1, "A", "甲小学", 10, "甲镇", 1)
    base = {
        "year": 2024,
        "until": datetime.date(2025, 9, 1),
        "codes": ("R1", "R4"),
        "names": {"R1": "生师比", "R4": "生均校舍"},
        "directions": {"R1": MIN, "R4": MIN},
        "caps": {"primary": 45, "junior": 50},
        "results": [],
        "grades": [SchoolGrades(1, 10, {1: Grade(90, 2)})],
        "info": {1: a},
        "projects": [],
        "students": {(1, "primary"): 90},
        "intakes": {},
    }
    return warnings.WarningInputs(**(base | overrides))


def test_close_means_met_by_less_than_ten_percent():
    # Threshold 10: 10.5 < 11 (10 × 1.1) is close; 11.5 is not; a failing 9 is a failure, not a warning.
    results = [
        (1, "primary", "R1", "met", Decimal("10.5"), Decimal("10")),
        (1, "primary", "R4", "met", Decimal("11.5"), Decimal("10")),
        (1, "junior", "R1", "not_met", Decimal("9"), Decimal("10")),
    ]
    found = warnings.compute(_inputs(results=results))
    assert [(r[1], r[2]) for r in found.close] == [("primary", "R1")]
    assert found.close_counts == {("primary", "R1"): 1}


def test_grade_over_the_cap_less_the_places_of_projects():
    # Intake estimate 100 pupils in grade 1's two classes at cap 45: 100 − 2 × 45 = 10 over; a project adding
    # 4 places leaves 6. Grade 2 takes this year's grade 1 (90 in 2 classes = 90, not over).
    found = warnings.compute(_inputs(intakes={1: 100}, projects=[(1, "extension", 4, Decimal("0"))]))
    assert [(g.grade, g.over, total, places, left) for _s, g, total, places, left in found.classes] == [
        (1, 10, 10, 4, 6)
    ]
    assert found.by_township == {"甲镇": [10, 6]}


def test_area_met_now_falls_below_as_enrolment_grows():
    # R4 = 10 m² for 90 pupils (900 m²). Next year the class list grows from 90 to 90 + 100 = 190 listed pupils,
    # so 90 × 190 / 90 = 190 pupils share 900 m²: 900 / 190 ≈ 4.74 < 8, a warning. With 1,000 m² added: 1,900 / 190
    # = 10 ≥ 8, none.
    results = [(1, "primary", "R4", "met", Decimal("10"), Decimal("8"))]
    found = warnings.compute(_inputs(results=results, intakes={1: 100}))
    [(_s, section, code, value, projected, threshold, n, now, nxt)] = found.areas
    assert (section, code, n, now, nxt) == ("primary", "R4", 90, 90, 190)
    assert projected == Decimal(900) / Decimal(190)
    added = warnings.compute(_inputs(results=results, intakes={1: 100}, projects=[(1, "extension", 0, Decimal(1000))]))
    assert added.areas == []


def test_the_horizon_is_a_year_on_and_29_february_becomes_the_28th():
    assert warnings.next_as_of(datetime.date(2024, 9, 1)) == datetime.date(2025, 9, 1)
    assert warnings.next_as_of(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)


def test_an_area_is_listed_only_when_it_falls_below_its_threshold_as_the_class_list_grows():
    # A primary section of 90 pupils: grade 1 45 in 1 class, grade 6 45 in 1. Next year grade 1 is 45 again, grade 2
    # the 45 of grade 1, grade 6 leaves: 90 listed now and next. R4 at exactly its threshold 8 stays 8 (not below:
    # not listed); a "met" 7.9 (within the rule's tolerance) stays 7.9 < 8 (listed).
    same = {"grades": [SchoolGrades(1, 10, {1: Grade(45, 1), 6: Grade(45, 1)})]}
    at = [(1, "primary", "R4", "met", Decimal("8"), Decimal("8"))]
    assert warnings.compute(_inputs(results=at, **same)).areas == []
    below = [(1, "primary", "R4", "met", Decimal("7.9"), Decimal("8"))]
    [row] = warnings.compute(_inputs(results=below, **same)).areas
    assert (row[3], row[4], row[7], row[8]) == (Decimal("7.9"), Decimal("7.9"), 90, 90)
    # An intake of 120: 120 + 45 = 165 next year; 8 × 90 / 165 = 4.36… < 8 (listed).
    [row] = warnings.compute(_inputs(results=at, intakes={1: 120}, **same)).areas
    assert (row[7], row[8], row[4]) == (90, 165, Decimal(720) / Decimal(165))
    # A shrinking list (grade 1 30, grade 6 60: 90 now, 30 + 30 = 60 next): 7.9 × 90 / 60 = 11.85, not below 8.
    shrinking = {"grades": [SchoolGrades(1, 10, {1: Grade(30, 1), 6: Grade(60, 2)})]}
    assert warnings.compute(_inputs(results=below, **shrinking)).areas == []
    # A project's area shared in: 800 m² more for the 90 pupils growing to 165: (8 × 90 + 800) / 165 = 9.21…
    grown = _inputs(results=at, intakes={1: 120}, projects=[(1, "extension", 0, Decimal("800"))], **same)
    assert warnings.compute(grown).areas == []


def _areas_by_the_rule(inputs) -> list[tuple]:
    """areas_falling's rows worked out for every met R4 / R5 row, with no shortcut: per_student_next < threshold."""
    from indicators.domain import forecast

    result = forecast.next_year(inputs.grades, caps=inputs.caps, intakes=inputs.intakes)
    _places, added_area = warnings._project_gains(inputs.projects)
    now = {g.school_id: g.grades for g in inputs.grades}
    rows = []
    for sid, section, code, status, value, threshold in inputs.results:
        if code not in warnings.AREA_CODES or status != "met" or value is None or threshold is None:
            continue
        n = inputs.students.get((sid, section), 0)
        total = sum(v for (s, _sec), v in inputs.students.items() if s == sid)
        share = Decimal(n) / total if total else Decimal(0)
        now_listed = forecast.section_students(now.get(sid, {}), section)
        next_listed = forecast.section_students(result.grades.get(sid, {}), section)
        projected = forecast.per_student_next(
            value=value,
            students=n,
            now_listed=now_listed,
            next_listed=next_listed,
            added=added_area.get((sid, code), Decimal(0)) * share,
        )
        if projected is not None and projected < threshold:
            rows.append((inputs.info[sid], section, code, value, projected, threshold, n, now_listed, next_listed))
    return sorted(rows, key=lambda r: (r[0].township_order, r[0].code, r[1], r[2]))


@settings(max_examples=300, deadline=None)
@given(
    grade_students=st.lists(st.integers(0, 90), min_size=6, max_size=6),
    intake=st.one_of(st.none(), st.integers(0, 200)),
    area_cents=st.integers(0, 2000),
    threshold_cents=st.integers(1, 2000),
    n=st.integers(0, 600),
    added=st.integers(0, 3000),
)
def test_the_areas_falling_are_those_the_rule_finds_row_by_row(
    grade_students, intake, area_cents, threshold_cents, n, added
):
    """areas_falling skips the rows whose value × now-listed exceeds threshold × next-listed (they stay met); the
    rows it lists are exactly those per_student_next puts below the threshold, at and around equality too."""
    grades = {g: Grade(s, 1) for g, s in enumerate(grade_students, start=1) if s}
    value, threshold = Decimal(area_cents) / 100, Decimal(threshold_cents) / 100
    inputs = _inputs(
        results=[(1, "primary", "R4", "met", value, threshold), (1, "primary", "R4", "met", threshold, threshold)],
        grades=[SchoolGrades(1, 10, grades)],
        students={(1, "primary"): n},
        intakes={} if intake is None else {1: intake},
        projects=[(1, "extension", 0, Decimal(added))] if added else [],
    )
    assert warnings.compute(inputs).areas == _areas_by_the_rule(inputs)
