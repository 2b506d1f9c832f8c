"""The context builder against the hand-worked county of conftest.py."""

import datetime
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


def test_the_context_is_built_from_the_selectors_rows_without_a_query(
    county, cycle, official_round, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        data = selectors.report_data(stage=stage(cycle, 4), round=official_round)
    for number in range(1, 6):
        data.stage = stage(cycle, number)
        with django_assert_num_queries(0):
            ctx = context.build(data, narrative={"summary": "摘要"})
        assert ctx.stage["number"] == number


def test_each_stage_has_its_own_chapters_and_annexes(county, cycle, official_round):
    data = selectors.report_data(stage=stage(cycle, 1), round=official_round)
    outlines = {}
    for number in range(1, 6):
        data.stage = stage(cycle, number)
        ctx = context.build(data)
        outlines[number] = ([c["heading"] for c in ctx.chapters], [a["key"] for a in ctx.annexes])
    assert outlines[1] == (
        ["一、基本情况", "二、基线：各项指标现状", "三、差距清单与缺口", "四、宣传发动与责任分工"]
        + ["五、下一步工作安排"],
        ["schools", "cv"],
    )
    assert outlines[2][0][0] == "一、各项措施推进情况（对照目标）" and outlines[2][1] == []
    assert outlines[3][0][:2] == ["一、重点难点问题", "二、已解决的问题"] and outlines[3][1] == []
    assert "三、指标达成情况" in outlines[4][0] and outlines[4][1] == ["schools", "cv", "evidence"]
    assert outlines[5][0][:2] == ["一、最终达成情况", "二、对评估反馈问题的逐条回应"]


def test_the_issuer_is_the_office_for_stages_1_to_3_the_government_after_unless_the_draft_names_one(
    county, cycle, official_round
):
    data = selectors.report_data(stage=stage(cycle, 1), round=official_round)
    issuers = {}
    for number in range(1, 6):
        data.stage = stage(cycle, number)
        issuers[number] = context.build(data).issuer
    office = f"{data.county.name}推进义务教育优质均衡发展工作领导小组办公室"
    assert issuers == {1: office, 2: office, 3: office, 4: data.county.government, 5: data.county.government}
    assert context.build(data, narrative={"issuer": "某某县人民政府"}).issuer == "某某县人民政府"


def _with_results(rnd):
    from indicators.models import EvaluationState

    EvaluationState.objects.update_or_create(round=rnd, defaults={"computed_version": 1})
    return rnd


def test_a_stage_rests_on_the_latest_closed_round_as_of_its_end(cycle, school_year):
    """Rounds as of 2023-09-01 (closed), 2024-09-01 (closed), 2025-03-01 (open). Stage 1 ends 2023-12-31, stage 3
    on 2025-06-30; today is 2025-04-01: stage 1 ended and rests on the 2023 round; stage 3 has not ended and rests
    on the latest closed round (2024), not on the open one."""
    from tests.factories import RoundFactory, SchoolYearFactory

    earlier = _with_results(RoundFactory(school_year=SchoolYearFactory(year=2023), is_open=False))
    later = _with_results(RoundFactory(school_year=school_year, is_open=False))
    _with_results(RoundFactory(school_year=school_year, kind="interim", name="自查", as_of=datetime.date(2025, 3, 1)))
    first, third = stage(cycle, 1), stage(cycle, 3)
    first.ends, third.ends = datetime.date(2023, 12, 31), datetime.date(2025, 6, 30)
    today = datetime.date(2025, 4, 1)
    assert selectors.stage_round(stage=first, today=today) == earlier
    assert selectors.stage_round(stage=third, today=today) == later
    # before any closed round existed, the stage rests on the latest round (the report says provisional)
    first.ends = datetime.date(2020, 1, 1)
    assert selectors.stage_round(stage=first, today=today) == later


def test_a_report_from_a_round_still_open_is_provisional(county, cycle, official_round):
    official_round.is_open = True
    official_round.save(update_fields=["is_open"])
    ctx = context.build_context(stage=stage(cycle, 4), round=official_round)
    assert ctx.provisional and "本批次仍在填报中" in ctx.provisional_note
