"""The reconciliation of one school year: read the official round's approved figures and the statistics return,
evaluate twice (the portal's figures; every school's statistics figures in place of its own), and lay out the
differences with the indicators they change and the verdicts they flip.

A school's verdict with its statistics figures is read from the second evaluation: a school's 6-of-7 rule and its
school-level items read only that school's figures (and, under the teaching-point policy `merge`, its points', whose
statistics figures are put in place together), so one evaluation with every school's statistics figures gives each
school's verdict as re-evaluating it alone would, and the county's verdict at once. Queries: a fixed number (the
round's load, the statistics rows, the resolutions), whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from indicators import loading
from indicators.models import EvaluationState
from schools.models import CollectionRound, ReturnStatus, RoundKind, SchoolReturn
from schools.statistics.mapping import STAT_FIGURES
from schools.statistics.models import Resolution, StatisticsYear
from schools.statistics.selectors import resolutions, statistics_rows, statistics_year

from .compare import (
    Difference,
    affected_group,
    band_differences,
    changed_indicators,
    figure_differences,
    school_statuses,
    school_verdicts,
    with_statistics,
)


@dataclass
class SchoolRow:
    school: object  # schools.models.School
    portal_verdict: bool | None
    statistics_verdict: bool | None
    differences: list[tuple[Difference, list, Resolution | None]] = field(default_factory=list)

    @property
    def flips(self) -> bool:
        return self.portal_verdict != self.statistics_verdict


@dataclass
class Reconciliation:
    year: int
    round: CollectionRound
    stat_year: StatisticsYear
    county_portal: bool | None
    county_statistics: bool | None
    rows: list[SchoolRow]
    schools_compared: int
    missing_in_statistics: list  # schools with approved figures the statistics return does not hold

    @property
    def county_flips(self) -> bool:
        return self.county_portal != self.county_statistics

    @property
    def differences(self) -> int:
        return sum(len(r.differences) for r in self.rows)

    @property
    def unresolved(self) -> int:
        return sum(1 for r in self.rows for _d, _c, res in r.differences if res is None)


def official_round(year: int) -> CollectionRound | None:
    return (
        CollectionRound.objects.select_related("school_year")
        .filter(school_year__year=year, kind=RoundKind.OFFICIAL)
        .first()
    )


def portal_values(rnd: CollectionRound) -> dict[int, dict]:
    """The figures the statistics return can hold, of the return each school is evaluated with in the round (as
    loading.round_returns picks it: the latest approved of the year not after the round), as plain values: one
    query without model instances."""
    rows = (
        SchoolReturn.objects.filter(
            round__school_year=rnd.school_year, round__as_of__lte=rnd.as_of, status=ReturnStatus.APPROVED
        )
        .order_by("school_id", "round__as_of", "round__pk")
        .values_list("school_id", *STAT_FIGURES)
    )
    latest: dict[int, dict] = {}
    for school_id, *values in rows.iterator(chunk_size=5000):
        latest[school_id] = dict(zip(STAT_FIGURES, values, strict=True))
    return latest


def _stored_county_verdict(rnd: CollectionRound):
    """The county verdict stored by the last recompute, when it is fresh; `STALE` otherwise."""
    state = EvaluationState.objects.filter(round=rnd).only("passed", "data_version", "computed_version").first()
    if state is None or not state.computed_version or state.computed_version < state.data_version:
        return STALE
    return state.passed


STALE = object()


def _portal_side(rnd, inp, substituted, after, verdicts_after):
    """The portal's county verdict and each school's statuses and verdict with its own figures.

    A school whose statistics figures change nothing the evaluation reads has the same statuses both ways, so only
    the schools with changed figures (with their parents and teaching points) are evaluated again with the portal's
    figures, and the county verdict is the stored one when the stored results are fresh. When they are not, the whole
    county is evaluated with the portal's figures.
    """
    stored = _stored_county_verdict(rnd)
    if stored is STALE:
        portal_eval = loading.evaluate(inp)
        return portal_eval.passed, school_statuses(portal_eval), school_verdicts(portal_eval)
    changed = {new.code for new, old in zip(substituted, inp.schools, strict=True) if new != old}
    group = affected_group(inp.schools, changed)
    part = tuple(f for f in inp.schools if f.code in group)
    portal_eval = loading.evaluate(replace(inp, schools=part, expected_school_codes=tuple(f.code for f in part)))
    before = {**after, **school_statuses(portal_eval)}
    verdicts = {**verdicts_after, **school_verdicts(portal_eval)}
    return stored, before, verdicts


def reconciliation(*, year: int, schools=None) -> Reconciliation | None:
    """The year's reconciliation, its rows limited to `schools` (a queryset; the evaluations stay county-wide)."""
    rnd = official_round(year)
    stat_year = statistics_year(year)
    if rnd is None or stat_year is None:
        return None
    inp, meta = loading.evaluation_input(round=rnd)
    returns = portal_values(rnd)
    stats = statistics_rows(stat_year=stat_year)
    schools_by_code = meta["schools_by_code"]
    stats_by_code = {s.code: stats[s.pk] for s in schools_by_code.values() if s.pk in stats}
    substituted = tuple(
        with_statistics(f, stats_by_code[f.code]["figures"]) if f.code in stats_by_code else f for f in inp.schools
    )
    stats_eval = loading.evaluate(replace(inp, schools=substituted))
    after, verdicts_after = school_statuses(stats_eval), school_verdicts(stats_eval)
    county_portal, before, verdicts_before = _portal_side(rnd, inp, substituted, after, verdicts_after)
    figures_by_code = {f.code: f for f in inp.schools}
    resolved = resolutions(stat_year=stat_year)
    visible = None if schools is None else set(schools.values_list("pk", flat=True))
    rows: list[SchoolRow] = []
    missing = []
    for code, school in schools_by_code.items():
        if visible is not None and school.pk not in visible:
            continue
        ret = returns.get(school.pk)
        stat = stats_by_code.get(code)
        if stat is None:
            if ret is not None:
                missing.append(school)
            continue
        portal = ret or {}
        diffs = figure_differences(portal, stat["figures"], stat["steps"])
        if code in figures_by_code:
            classes = [(c.section, c.grade, c.name, c.students) for c in figures_by_code[code].classes]
            diffs += band_differences(classes, stat["bands"])
        row = SchoolRow(school, verdicts_before.get(code), verdicts_after.get(code))
        for d in diffs:
            changed = changed_indicators(before.get(code, {}), after.get(code, {}), d.indicators)
            row.differences.append((d, changed, resolved.get((school.pk, d.figure))))
        if row.differences or row.flips:
            rows.append(row)
    rows.sort(key=lambda r: (not r.flips, r.school.code))
    return Reconciliation(
        year=year,
        round=rnd,
        stat_year=stat_year,
        county_portal=county_portal,
        county_statistics=stats_eval.passed,
        rows=rows,
        schools_compared=len(stats_by_code),
        missing_in_statistics=missing,
    )


def difference_rows(rec: Reconciliation) -> list[dict]:
    """One plain row per difference (the export and the API), flips first."""
    out = []
    for row in rec.rows:
        for d, changed, res in row.differences:
            out.append(
                {
                    "school": row.school,
                    "figure": d.figure,
                    "portal": d.portal,
                    "statistics": d.statistics,
                    "difference": d.diff,
                    "percent": d.percent.quantize(Decimal("0.01")) if d.percent is not None else None,
                    "indicators": list(d.indicators),
                    "changed": [{"code": c, "section": s, "before": b, "after": a} for c, s, b, a in changed],
                    "bands": [{"band": label, "portal": p, "statistics": s} for label, p, s in d.bands],
                    "school_flips": row.flips,
                    "portal_verdict": row.portal_verdict,
                    "statistics_verdict": row.statistics_verdict,
                    "resolution": res,
                }
            )
    return out
