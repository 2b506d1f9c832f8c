"""The context builder against the hand-worked county of conftest.py."""

from decimal import Decimal

from supervision.reports import context, selectors
from tests.reports.conftest import NAMES, stage


def _r5(ctx):
    primary = next(s for s in ctx.resource if s["key"] == "primary")
    return primary, next(c for c in primary["cvs"] if c["code"] == "R5")


def test_the_r5_cv_is_the_stored_weighted_one(county, cycle, official_round):
    ctx = context.build_context(stage=stage(cycle, 4), round=official_round)
    primary, r5 = _r5(ctx)
    # Σ(P_i/P)(X_i − X̄)² = 3.6 + 0.8 + 1.6 = 6.0; S = 2.449490; CV = S / 7 = 0.349927 (unweighted σ/μ would be 0.354)
    assert r5["cv"] == Decimal("0.349927")
    assert r5["cv_text"] == "0.350"
    assert r5["mean"] == "7.000"
    assert r5["met"] is True and r5["limit"] == "0.50"
    assert [row["name"] for row in primary["schools"]] == [NAMES["A"], NAMES["B"], NAMES["C"]]
    # R5 values 10, 5, 5 with the threshold 7.5: 甲 met, 乙 and 丙 below 85% (6.375) → not met
    assert [row["cells"][4]["value"] for row in primary["schools"]] == ["10.000", "5.000", "5.000"]
    assert [row["cells"][4]["mark"] for row in primary["schools"]] == ["√", "×", "×"]


def test_the_cv_annex_lists_every_schools_weighted_term(county, cycle, official_round):
    ctx = context.build_context(stage=stage(cycle, 4), round=official_round)
    table = next(t for t in ctx.annex_cv if t["section"] == "小学" and t["code"] == "R5")
    assert [(r["school"], r["students"], r["weight"], r["term"]) for r in table["rows"]] == [
        (NAMES["A"], 400, "0.4000", "3.600000"),
        (NAMES["B"], 200, "0.2000", "0.800000"),
        (NAMES["C"], 400, "0.4000", "1.600000"),
    ]
    assert table["total_students"] == 1000
    assert table["sd"] == "2.4495"
    assert table["cv"] == "0.350"


def test_basic_facts_count_students_and_teachers_of_the_approved_returns(county, cycle, official_round):
    ctx = context.build_context(stage=stage(cycle, 1), round=official_round)
    primary = ctx.facts["sections"][0]
    assert (primary["schools"], primary["students"], primary["classes"], primary["teachers"]) == (3, 1000, 25, 60)
    assert ctx.facts["school_count"] == 3
    assert ctx.school_names == [NAMES["A"], NAMES["B"], NAMES["C"]]


def test_an_incomplete_evaluation_is_provisional_with_n_of_m(county, cycle, official_round):
    ctx = context.build_context(stage=stage(cycle, 4), round=official_round)
    assert ctx.provisional is True
    assert "3所学校中3所" in ctx.provisional_note
    assert "G1" in ctx.missing and "Q1" in ctx.missing
    assert ctx.verdict["passed"] is not True


def test_the_emphasis_follows_the_stage(county, cycle, official_round):
    first = context.build_context(stage=stage(cycle, 1), round=official_round)
    fifth = context.build_context(stage=stage(cycle, 5), round=official_round)
    # stage 1 reports the gaps: 乙 and 丙 miss R5 (5.0 < 7.5); gaps 7.5·200 − 1000 = 500 and 7.5·400 − 2000 = 1000 m²
    r5_gaps = [(g["school"], g["gap"]) for g in first.gaps if g["code"] == "R5"]
    assert r5_gaps == [(NAMES["B"], "500.000 平方米"), (NAMES["C"], "1000.000 平方米")]
    assert first.profile["findings"] is False and fifth.profile["findings"] is True
    assert fifth.gaps == [] and fifth.annex_cv


def test_the_default_round_is_the_latest_closed_round_with_results(county, official_round):
    assert selectors.default_round() == official_round
    assert selectors.default_round(year=2023) is None


def test_the_build_takes_a_fixed_number_of_queries(county, cycle, official_round, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        context.build_context(stage=stage(cycle, 5), round=official_round)
