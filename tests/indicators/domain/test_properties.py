"""Properties of the pure engine over random inputs (SECURITY.md row 16): CVs, the 6-of-7 rule, thresholds, the split
of combined schools and gaps. Each property is stated in its test's name; hand-worked cases live in the other files.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.domain.cv import unweighted_cv, weighted_cv
from indicators.domain.decimals import working_context
from indicators.domain.gaps import resource_gaps
from indicators.domain.inputs import SHARED_FIGURES, SchoolFigures, SectionFigures
from indicators.domain.resource import evaluate_unit
from indicators.domain.sections import apportion, plan_sections, section_shares
from indicators.domain.standard import NATIONAL_2017_DATA, national_2017, standard_from_dict

D = Decimal
STD = national_2017()
TEACHER_FIGURES = ("teachers_above_required", "teachers_backbone", "teachers_pe_arts")
FIGURE_OF = {d.code: d.figure for d in STD.resource_defs}
WHOLE = ("teachers_above_required", "teachers_backbone", "teachers_pe_arts", "multimedia_rooms")


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= D("1e-40") * max(D(1), abs(a), abs(b))


values_st = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
students_st = st.integers(min_value=1, max_value=3000)


# ---------------------------------------------------------------------------------------------------- the CV


@given(st.lists(values_st, min_size=1, max_size=40), students_st)
def test_with_equal_enrolments_the_weighted_cv_equals_the_unweighted_one(values, students):
    weighted = weighted_cv([(students, x) for x in values]).cv
    assert close(weighted, unweighted_cv(values))


@given(st.lists(st.tuples(students_st, values_st), min_size=1, max_size=40))
def test_the_cv_is_zero_exactly_when_every_value_is_equal(pairs):
    stats = weighted_cv(pairs)
    all_equal = len({x for _, x in pairs}) == 1
    assert (stats.cv == 0) is all_equal
    assert (stats.variance == 0) is all_equal


# ------------------------------------------------------------------------------------ one section's seven values


def single_school(kind: str, section: str, students: int, counts: dict, amounts: dict) -> SchoolFigures:
    figures = SectionFigures(students, 1, max(counts.values()) + 1, *(counts[f] for f in TEACHER_FIGURES), 1)
    return SchoolFigures("S", kind=kind, **{section: figures}, **amounts)


@st.composite
def near_thresholds(draw, section: str = "primary"):
    """A single-section school whose seven values lie between 70 % and 130 % of their thresholds."""
    students = draw(st.integers(min_value=50, max_value=3000))
    counts, amounts = {}, {}
    for d in STD.resource_defs:
        needed = d.thresholds[section] * students / d.per
        factor = draw(st.integers(min_value=70, max_value=130)) / D(100)
        if d.figure in WHOLE:
            value = int(needed * factor)
            (counts if d.figure in TEACHER_FIGURES else amounts)[d.figure] = value
        else:
            amounts[d.figure] = (needed * factor).quantize(D("0.01"))
    return single_school(section, section, students, counts, amounts)


def evaluate(school: SchoolFigures):
    return [evaluate_unit(u, STD) for u in plan_sections([school], STD, "merge").units]


def raised(school: SchoolFigures, figure: str, amount) -> SchoolFigures:
    if figure in TEACHER_FIGURES:
        for name in ("primary", "junior"):
            sf = school.section(name)
            if sf is not None:
                school = replace(school, **{name: replace(sf, **{figure: getattr(sf, figure) + amount})})
        return school
    return replace(school, **{figure: getattr(school, figure) + amount})


@given(
    st.sampled_from(["primary", "junior"]).flatmap(near_thresholds),
    st.sampled_from(sorted(FIGURE_OF.values())),
    st.integers(min_value=1, max_value=500),
)
def test_raising_any_value_never_turns_a_pass_into_a_fail_nor_a_met_indicator_into_a_miss(school, figure, amount):
    (before,) = evaluate(school)
    (after,) = evaluate(raised(school, figure, amount))
    assert after.met_count >= before.met_count
    assert all(after.results[c].status == "met" for c, r in before.results.items() if r.status == "met")
    if before.passed:
        assert after.passed
    if after.passed is False:
        assert before.passed is False


# Students 2^a·5^b: any count × 100 / students is then a terminating decimal, usable as a threshold.
exact_students_st = st.builds(lambda a, b: 2**a * 5**b, st.integers(0, 6), st.integers(0, 4))


def standard_with(code: str, section: str, threshold: Decimal):
    data = {
        **NATIONAL_2017_DATA,
        "indicators": [
            {**i, "thresholds": {**i["thresholds"], section: str(threshold)}} if i["code"] == code else i
            for i in NATIONAL_2017_DATA["indicators"]
        ],
    }
    return standard_from_dict(data)


@given(
    st.sampled_from(list(FIGURE_OF)),
    st.sampled_from(["primary", "junior"]),
    exact_students_st,
    st.integers(min_value=1, max_value=400),
)
def test_a_value_exactly_at_its_threshold_meets_it_and_one_unit_less_misses_it(code, section, students, count):
    """The threshold is set to exactly what `count` gives: count × per ÷ students (a terminating decimal)."""
    per = STD.indicators[code].per
    threshold = D(count * per) / D(students)
    std = standard_with(code, section, threshold)
    figure = FIGURE_OF[code]
    counts = {f: count if f == figure else 0 for f in TEACHER_FIGURES}
    amounts = {f: count if f == figure else 0 for f in SHARED_FIGURES}
    (unit,) = plan_sections([single_school(section, section, students, counts, amounts)], std, "merge").units
    result = evaluate_unit(unit, std).results[code]
    assert result.value == threshold and result.status == "met"
    counts = {f: count - 1 if f == figure else 0 for f in TEACHER_FIGURES}
    amounts = {f: count - 1 if f == figure else 0 for f in SHARED_FIGURES}
    (unit,) = plan_sections([single_school(section, section, students, counts, amounts)], std, "merge").units
    assert evaluate_unit(unit, std).results[code].status == "not_met"


@given(
    st.integers(min_value=1, max_value=3000),
    st.integers(min_value=1, max_value=3000),
    st.decimals(min_value=D("0.1"), max_value=D("3000"), places=1),
)
def test_a_split_sections_value_exactly_at_its_threshold_meets_it(primary, junior, threshold):
    """Nine-year school: the primary share of area T·(A + 1.1B) is T·A, i.e. exactly T per primary student."""
    std = standard_with("R4", "primary", threshold)
    area = threshold * (primary + D("1.1") * junior)
    school = SchoolFigures(
        "N",
        kind="nine_year",
        primary=SectionFigures(primary, 1, 1, 0, 0, 0, 1),
        junior=SectionFigures(junior, 1, 1, 0, 0, 0, 1),
        teaching_area_m2=area,
    )
    units = {u.section: u for u in plan_sections([school], std, "merge").units}
    result = evaluate_unit(units["primary"], std).results["R4"]
    assert result.status == "met"
    with working_context():
        assert result.value == threshold


@given(st.sampled_from(list(FIGURE_OF)), exact_students_st, st.integers(min_value=1, max_value=25))
def test_a_single_miss_at_exactly_85_percent_passes_within_tolerance(code, students, k):
    """The value is 17k·per ÷ students and the threshold 20k·per ÷ students: exactly 0.85 of it (both terminate).
    Every other value is about twice its threshold."""
    per = STD.indicators[code].per
    threshold = D(20 * k * per) / D(students)
    std = standard_with(code, "primary", threshold)
    figure = FIGURE_OF[code]
    counts, amounts = {}, {}
    for d in std.resource_defs:
        value = 17 * k if d.figure == figure else int(2 * d.thresholds["primary"] * students / d.per) + 1
        (counts if d.figure in TEACHER_FIGURES else amounts)[d.figure] = value
    (unit,) = plan_sections([single_school("primary", "primary", students, counts, amounts)], std, "merge").units
    result = evaluate_unit(unit, std)
    assert result.results[code].value == D("0.85") * threshold
    assert result.results[code].status == "not_met" and result.results[code].within_tolerance
    assert result.missed == (code,) and result.passed is True and result.status == "passed_within_tolerance"


# ------------------------------------------------------------------------------------ combined schools' split

COMBINED = ("nine_year", "twelve_year", "complete_secondary")


@st.composite
def combined_school(draw, min_students: int = 0):
    kind = draw(st.sampled_from(COMBINED))
    students = st.integers(min_value=min_students, max_value=3000)
    primary = SectionFigures(draw(students), 1, 1, 0, 0, 0, 1) if kind != "complete_secondary" else None
    junior = SectionFigures(draw(students), 1, 1, 0, 0, 0, 1)
    senior = draw(students) if kind != "nine_year" else None
    totals = {f: draw(st.decimals(min_value=0, max_value=D("1e8"), places=2)) for f in SHARED_FIGURES}
    return SchoolFigures("C", kind=kind, primary=primary, junior=junior, senior_students=senior, **totals)


@given(combined_school())
def test_splitting_a_combined_school_conserves_every_shared_resource(school):
    """Σ over sections (senior included) of total × w·P / Σ w·P is the total, compared exactly as numerators."""
    shares = section_shares(school, STD)
    weighted = sum(num for num, _ in shares.values())
    den = next(iter(shares.values()))[1]
    split = apportion(school, STD)
    for f in SHARED_FIGURES:
        total = D(getattr(school, f))
        evaluated = sum(split[s][f].num for s in split)
        senior = total * shares["senior"][0] if "senior" in shares else 0
        if weighted:
            assert evaluated + senior == total * den
        else:  # no students at all: nothing is apportioned
            assert evaluated == 0


@given(
    st.lists(combined_school(min_students=1), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=0, max_value=3),
)
def test_the_section_rows_hold_every_student_and_resource_of_the_county(schools, point_students, n_points):
    """Under `merge`, teaching points join their parent's primary row (a complete secondary parent has none: the
    point is its own row). Rows hold every primary and junior student, and every shared resource but the part
    apportioned to senior sections (each point: 7 of each)."""
    schools = [replace(s, code=f"C{i}") for i, s in enumerate(schools)]
    points = [
        SchoolFigures(
            f"P{i}",
            kind="teaching_point",
            parent_code=schools[i % len(schools)].code,
            primary=SectionFigures(point_students, 1, 1, 0, 0, 0, 1),
            **dict.fromkeys(SHARED_FIGURES, D(7)),
        )
        for i in range(n_points)
    ]
    plan = plan_sections([*schools, *points], STD, "merge")
    students = sum((s.primary.students if s.primary else 0) + s.junior.students for s in schools)
    point_rows = [u for u in plan.units if u.kind == "teaching_point"]
    assert sum(u.students for u in plan.units) == students + point_students * n_points
    assert all(u.students == point_students for u in point_rows)
    with working_context():
        for f in SHARED_FIGURES:
            held = sum((u.resources[f].amount for u in plan.units), D(0))
            senior = D(0)
            for s in schools:
                shares = section_shares(s, STD)
                if "senior" in shares:
                    senior += getattr(s, f) * shares["senior"][0] / shares["senior"][1]
            total = sum((getattr(s, f) for s in schools), D(0))
            assert close(held + senior, total + 7 * n_points)


# ---------------------------------------------------------------------------------------------------- gaps


@given(st.sampled_from(["primary", "junior"]).flatmap(near_thresholds))
def test_adding_exactly_each_gap_meets_that_indicator_and_adding_less_does_not(school):
    (result,) = evaluate(school)
    gaps = resource_gaps(result, STD)
    assert {g.code for g in gaps} == set(result.missed)
    for g in gaps:
        assert g.quantity > 0
        (after,) = evaluate(raised(school, g.resource, g.quantity))
        assert after.results[g.code].status == "met", g
        less = g.quantity - 1 if g.unit in ("teachers", "rooms") else g.quantity - D("0.01")
        (short,) = evaluate(raised(school, g.resource, less))
        assert short.results[g.code].status == "not_met", g


@given(combined_school(), st.sampled_from(list(FIGURE_OF)))
def test_adding_each_gap_to_a_split_sections_share_meets_it(school, code):
    """For a combined school the gap is that of the section's share: adding it to the share meets the indicator."""
    figure = FIGURE_OF[code]
    for unit in plan_sections([school], STD, "merge").units:
        result = evaluate_unit(unit, STD)
        for g in resource_gaps(result, STD):
            if g.code != code:
                continue
            if figure in TEACHER_FIGURES:
                bumped = unit._replace(**{figure: getattr(unit, figure) + int(g.quantity)})
            else:
                bumped = unit._replace(resources={**unit.resources, figure: unit.resources[figure].plus(g.quantity)})
            assert evaluate_unit(bumped, STD).results[code].status == "met", (g, unit)
