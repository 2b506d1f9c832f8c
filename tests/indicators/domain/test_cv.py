"""The between-school CV is weighted by enrolment, judged per indicator, and the 综合 mean decides nothing."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from indicators.domain.cv import cv_status, judge_cvs, unweighted_cv, weighted_cv, weighted_terms

D = Decimal

# INDICATORS.md worked example: five primary schools, one per-student indicator.
EXAMPLE = [("A", 45, 279), ("B", 37, 137), ("C", 89, 935), ("D", 76, 160), ("E", 55, 402)]


def example_pairs():
    return [(p, D(total) / D(p)) for _, p, total in EXAMPLE]


def test_the_worked_example_gives_a_weighted_cv_of_0_5153_and_the_unweighted_one_differs():
    stats = weighted_cv(example_pairs())
    assert round(stats.mean, 4) == D("6.3344")  # 1913 / 302
    assert round(stats.variance, 3) == D("10.653")
    assert round(stats.sd, 4) == D("3.2639")
    assert round(stats.cv, 4) == D("0.5153")
    wrong = unweighted_cv([x for _, x in example_pairs()])
    assert round(wrong, 3) == D("0.489")
    assert round(wrong, 4) != round(stats.cv, 4)


def test_the_weighted_mean_is_the_county_total_over_the_county_students():
    stats = weighted_cv(example_pairs())
    assert round(stats.mean, 20) == round(D(1913) / D(302), 20)
    assert stats.n == 5 and stats.students == 302


def test_each_schools_weighted_term_sums_to_the_variance():
    terms = weighted_terms(example_pairs())
    assert len(terms) == 5
    assert round(sum(terms), 20) == round(weighted_cv(example_pairs()).variance, 20)
    # school C (89 students, 10.506 per student) contributes the most
    assert max(terms) == terms[2]


def test_the_worked_example_fails_the_primary_limit_and_a_cv_exactly_at_the_limit_is_met():
    assert cv_status(weighted_cv(example_pairs()), D("0.50")) == "not_met"
    at_limit = weighted_cv([(10, D(1)), (10, D(3))])  # mean 2, sd 1
    assert at_limit.cv == D("0.5")
    assert cv_status(at_limit, D("0.50")) == "met"
    assert cv_status(at_limit, D("0.45")) == "not_met"


def test_a_zero_mean_gives_no_cv_and_no_data():
    stats = weighted_cv([(10, D(0)), (20, D(0))])
    assert stats.cv is None
    assert cv_status(stats, D("0.5")) == "no_data"
    assert weighted_cv([]) is None


def test_the_zonghe_mean_of_0_37_does_not_hide_one_cv_of_0_502():
    cvs = {"R1": D("0.502"), **{f"R{i}": D("0.348") for i in range(2, 8)}}
    statuses, mean = judge_cvs(cvs, D("0.50"))
    assert mean == D("0.37")
    assert statuses["R1"] == "not_met"
    assert [c for c, s in statuses.items() if s == "met"] == [f"R{i}" for i in range(2, 8)]


pairs_st = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=3000),
        st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=40,
)


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= D("1e-30") * max(D(1), abs(a), abs(b))


@given(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=40), st.decimals(D("0.01"), D("1e6")))
def test_cv_is_zero_when_every_school_has_the_same_value(enrolments, value):
    assert weighted_cv([(p, value) for p in enrolments]).cv == 0


def test_identical_ratios_give_a_cv_of_exactly_zero():
    """X = 126682 / 43 = 2946.0930232558139534883720930232558139534883720930 (50 digits) at three schools of
    1095, 865 and 2252 students. Σ P_i·X_i rounded to 50 digits gave a mean one unit in the last place off X, a
    variance of 1E-92 and a CV of about 3E-50 for identical values; it must be exactly 0."""
    x = D(126682) / D(43)
    enrolments = [1095, 865, 2252]
    stats = weighted_cv([(p, x) for p in enrolments])
    assert (stats.mean, stats.variance, stats.cv) == (x, 0, 0)


@given(pairs_st, st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3))
def test_cv_is_unchanged_when_every_value_is_scaled_by_a_positive_factor(pairs, factor):
    a = weighted_cv(pairs).cv
    b = weighted_cv([(p, x * factor) for p, x in pairs]).cv
    assert close(a, b)


@given(pairs_st, st.integers(min_value=2, max_value=50))
def test_cv_is_unchanged_when_every_enrolment_is_scaled_by_the_same_integer(pairs, k):
    a = weighted_cv(pairs).cv
    b = weighted_cv([(p * k, x) for p, x in pairs]).cv
    assert close(a, b)


@given(pairs_st)
def test_cv_is_never_negative(pairs):
    stats = weighted_cv(pairs)
    assert stats.cv >= 0 and stats.variance >= 0


def example_section():
    from indicators.domain.inputs import SchoolFigures, SectionFigures
    from indicators.domain.resource import evaluate_unit
    from indicators.domain.sections import plan_sections
    from indicators.domain.standard import national_2017

    std = national_2017()
    schools = [
        SchoolFigures(code, primary=SectionFigures(p, 1, 3, 3, 1, 1, 3), teaching_area_m2=D(total))
        for code, p, total in EXAMPLE
    ]
    return [evaluate_unit(u, std) for u in plan_sections(schools, std, "merge").units], std


def test_the_engine_gives_the_worked_example_cv_for_schools_with_those_areas():
    from indicators.domain.cv import section_cv

    results, std = example_section()
    table = section_cv("primary", results, std)
    assert round(table.stats["R4"].cv, 4) == D("0.5153")
    assert table.status["R4"] == "not_met"
    assert table.status["R6"] == "no_data" and table.missing["R6"] == ("A", "B", "C", "D", "E")
    assert table.informational_mean_cv is None and table.passed is False


def test_the_cv_annex_lists_each_schools_weight_and_term():
    from indicators.domain.cv import cv_annex_rows

    results, _ = example_section()
    rows = cv_annex_rows(results, "R4")
    assert [r["school"] for r in rows] == ["A", "B", "C", "D", "E"]
    assert round(rows[0]["weight"], 6) == round(D(45) / D(302), 6)
    assert round(sum(r["term"] for r in rows), 3) == D("10.653")
