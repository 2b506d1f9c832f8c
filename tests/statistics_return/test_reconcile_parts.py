"""The reconciliation evaluates only the families whose figures the statistics return changes, reads the portal's
parts back from the last recompute where they still hold, and reads the schools as plain values: it must list what
two whole-county evaluations read school by school list, whatever the stored results."""

from dataclasses import replace
from decimal import Decimal

import pytest

from indicators import loading
from indicators.reconcile.compare import (
    band_differences,
    changed_indicators,
    figure_differences,
    school_statuses,
    school_verdicts,
    with_statistics,
)
from indicators.reconcile.selectors import official_round, reconciliation
from indicators.services import mark_stale_now, recompute_round
from schools.models import ReturnStatus, SchoolKind, SchoolReturn
from schools.statistics.mapping import STAT_FIGURES
from schools.statistics.models import StatisticsSchool, StatisticsYear
from schools.statistics.selectors import statistics_rows, statistics_year
from tests.factories import SchoolFactory, make_return, primary_figures


def straightforward(year: int):
    """Two whole-county evaluations (the portal's figures; every school's statistics figures), read school by
    school: what the reconciliation must give."""
    rnd = official_round(year)
    inp, meta = loading.evaluation_input(round=rnd)
    stats = statistics_rows(stat_year=statistics_year(year))
    by_code = {s.code: stats[s.pk] for s in meta["schools_by_code"].values() if s.pk in stats}
    restated = tuple(with_statistics(f, by_code[f.code]["figures"]) if f.code in by_code else f for f in inp.schools)
    portal_eval, stats_eval = loading.evaluate(inp), loading.evaluate(replace(inp, schools=restated))
    before, after = school_statuses(portal_eval), school_statuses(stats_eval)
    verdicts_before, verdicts_after = school_verdicts(portal_eval), school_verdicts(stats_eval)
    returns = loading.round_returns(round=rnd)
    figures = {f.code: f for f in inp.schools}
    rows = []
    for code, school in meta["schools_by_code"].items():
        stat = by_code.get(code)
        if stat is None:
            continue
        ret = returns.get(school.pk)
        portal = {f: getattr(ret, f) for f in STAT_FIGURES} if ret else {}
        diffs = figure_differences(portal, stat["figures"], stat["steps"])
        if code in figures:
            classes = [(c.section, c.grade, c.name, c.students) for c in figures[code].classes]
            diffs += band_differences(classes, stat["bands"])
        changed = [(d, changed_indicators(before.get(code, {}), after.get(code, {}), d.indicators)) for d in diffs]
        row = (code, verdicts_before.get(code), verdicts_after.get(code), changed)
        if changed or row[1] != row[2]:
            rows.append(row)
    rows.sort(key=lambda r: (r[1] == r[2], r[0]))
    return portal_eval.passed, stats_eval.passed, rows


def fast(year: int):
    rec = reconciliation(year=year)
    rows = [
        (r.school.code, r.portal_verdict, r.statistics_verdict, [(d, c) for d, c, _res in r.differences])
        for r in rec.rows
    ]
    return rec.county_portal, rec.county_statistics, rows


@pytest.fixture
def county(ganlu, jiangyi, official_round):
    """Schools of four kinds, a school with two teaching points, a school the statistics return leaves out."""
    stat_year = StatisticsYear.objects.create(school_year=official_round.school_year)

    def school(code, township, figures, stat=None, **kw):
        s = SchoolFactory(code=code, township=township, **kw)
        make_return(school=s, round=official_round, status=ReturnStatus.APPROVED, figures=figures)
        if stat is not None:
            StatisticsSchool.objects.create(
                stat_year=stat_year, school=s, figures=stat, steps={"equipment_value_yuan": "100"}, bands=bands
            )
        return s

    bands = {}
    same = {"primary_students": "400", "equipment_value_yuan": "900000"}
    school("2136000301", ganlu, primary_figures(), {**same, "teaching_area_m2": "1500"})  # flips (R4)
    school("2136000302", ganlu, primary_figures(equipment_value_yuan=Decimal("900040")), same)  # below the step
    parent = school("2136000303", jiangyi, primary_figures(), {**same, "sports_area_m2": "1200"})
    school(
        "2136000304",
        jiangyi,
        primary_figures(students=30, classes=3, teachers=3),
        {"primary_students": "36", "primary_teachers": "2"},
        kind=SchoolKind.TEACHING_POINT,
        parent=parent,
    )
    school(
        "2136000305",
        jiangyi,
        primary_figures(students=25, classes=3, teachers=3),
        {"primary_students": "25"},
        kind=SchoolKind.TEACHING_POINT,
        parent=parent,
    )
    junior = {
        "junior_students": 450,
        "junior_classes": 10,
        "junior_teachers": 40,
        "junior_teachers_above_required": 38,
        "junior_teachers_backbone": 6,
        "junior_teachers_pe_arts": 5,
        "junior_teachers_certified": 40,
    }
    figures = {**primary_figures(), **junior}
    for key in [k for k in figures if k.startswith("primary_")]:
        figures.pop(key)
    school("2136000306", ganlu, figures, {"junior_students": "470", "multimedia_rooms": "3"}, kind=SchoolKind.JUNIOR)
    bands = {"primary": [["45人及以下", None, 45, 10], ["46人及以上", 46, None, 0]]}
    school("2136000307", ganlu, primary_figures(students=460), {"primary_students": "460"})  # bands differ
    bands = {}
    school("2136000308", jiangyi, primary_figures(), None)  # not in the statistics return
    return official_round


def test_it_lists_what_two_whole_county_evaluations_list(county):
    expected = straightforward(2024)
    assert fast(2024) == expected
    codes = {r[0] for r in expected[2]}
    assert {"2136000301", "2136000304", "2136000306", "2136000307"} <= codes
    assert any(r[1] != r[2] for r in expected[2])  # a verdict flips
    assert any(c for r in expected[2] for _d, c in r[3])  # an indicator's status changes


def test_it_lists_the_same_with_fresh_stored_results_and_after_a_change_not_yet_recomputed(county):
    mark_stale_now(round=county)
    recompute_round(round_id=county.pk)
    assert fast(2024) == straightforward(2024)
    # The second school's teaching area falls to 1,500 m² (R4 not met both ways: no flip). Its stored part no longer
    # holds: the row is updated in place, its version unchanged, so only the dirty mark says so.
    second = SchoolReturn.objects.get(school__code="2136000302", round=county)
    SchoolReturn.objects.filter(pk=second.pk).update(teaching_area_m2=Decimal("1500"))
    mark_stale_now(round=county, school_ids=[second.school_id])
    expected = straightforward(2024)
    assert "2136000302" not in {r[0] for r in expected[2]}
    assert fast(2024) == expected


def test_the_plain_figures_are_those_evaluation_input_gives(county):
    inp, meta = loading.evaluation_input(round=county)
    rows, figures, returns = loading.plain_county_figures(round=county, extra=STAT_FIGURES)
    assert tuple(figures) == inp.schools
    assert [r[1] for r in rows] == list(meta["schools_by_code"])
    assert returns[rows[0][0]]["land_area_m2"] == Decimal("12000")
