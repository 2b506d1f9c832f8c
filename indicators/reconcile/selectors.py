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

from dataclasses import dataclass, field
from decimal import Decimal

from indicators import loading, parts
from indicators.domain.decimals import working_context
from indicators.domain.evaluate import evaluate_parts
from indicators.domain.families import FamilyPart, families, family_key, family_parts
from indicators.domain.gcpause import without_gc
from indicators.models import EvaluationState
from schools.models import CollectionRound, RoundKind, School
from schools.statistics.mapping import STAT_FIGURES
from schools.statistics.models import Resolution, StatisticsYear
from schools.statistics.selectors import resolutions, statistics_rows, statistics_year

from .compare import (
    Difference,
    band_differences,
    changed_indicators,
    figure_differences,
    part_statuses,
    part_verdicts,
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


def _state(rnd: CollectionRound) -> EvaluationState | None:
    return (
        EvaluationState.objects.filter(round=rnd)
        .only("passed", "data_version", "computed_version", "needs_full", "dirty_schools")
        .first()
    )


def _portal_parts(rnd: CollectionRound, state, fams: dict[str, list], standard, policy) -> dict[str, FamilyPart]:
    """Every family's part with the portal's figures: read back as the last recompute stored it when that part is
    still what the figures give (the rule `incremental.recompute_changed` follows: no recompute from scratch pending,
    the family's fingerprint unchanged and none of its schools marked dirty), evaluated otherwise."""
    found: dict[str, FamilyPart] = {}
    if state is not None and state.computed_version and not state.needs_full:
        county = parts.county(round=rnd)
        prints = county.fingerprints()
        keys = county.family_keys()
        dirty = set(state.dirty_schools or ())
        skip = {keys[row[1]] for row in county.schools if row[0] in dirty and row[1] in keys}
        try:
            stored = parts.stored(round=rnd, skip=skip)
        except parts.BadPart:
            stored = {}
        found = {
            k: part
            for k, (fp, part) in stored.items()
            if k in fams and k not in skip and prints.get(k) == fp and part.codes == tuple(s.code for s in fams[k])
        }
    missing = [s for k, members in fams.items() if k not in found for s in members]
    return found | family_parts(missing, standard, policy)


# The run holds a county's figures and two sets of parts at once (hundreds of thousands of small objects): the cyclic
# collector, walking them again and again, would cost more than the run itself (see domain.gcpause).
@without_gc
def reconciliation(*, year: int, schools=None) -> Reconciliation | None:
    """The year's reconciliation, its rows limited to `schools` (a queryset; the evaluations stay county-wide)."""
    rnd = official_round(year)
    stat_year = statistics_year(year)
    if rnd is None or stat_year is None:
        return None
    # The round's figures as evaluation_input gives them, and the statistics figures of the return each school is
    # evaluated with, read as plain values: model instances only for the schools listed.
    school_rows, figures, returns = loading.plain_county_figures(round=rnd, extra=STAT_FIGURES)
    inp, _meta = loading.county_input(round=rnd, schools=figures, expected_school_codes=[r[1] for r in school_rows])
    stats = statistics_rows(stat_year=stat_year)
    pk_of = {r[1]: r[0] for r in school_rows}
    stats_by_code = {code: stats[pk] for code, pk in pk_of.items() if pk in stats}
    standard, policy = inp.standard, inp.teaching_point_policy
    state = _state(rnd)
    with working_context():
        fams = families(inp.schools)
        portal = _portal_parts(rnd, state, fams, standard, policy)
        substituted = {
            f.code: with_statistics(f, stats_by_code[f.code]["figures"]) for f in inp.schools if f.code in stats_by_code
        }
        # A family whose figures the statistics return changes is evaluated again; the others give the same part.
        changed = {family_key(f) for f in inp.schools if substituted.get(f.code, f) != f}
        restated = family_parts(
            [substituted.get(s.code, s) for k in fams if k in changed for s in fams[k]], standard, policy
        )
        with_stats = {k: restated.get(k, part) for k, part in portal.items()}
        codes = [s.code for s in inp.schools]
        county_statistics = evaluate_parts(inp, with_stats.values(), codes, details=False).passed
        fresh = state is not None and state.computed_version and state.computed_version >= state.data_version
        county_portal = state.passed if fresh else evaluate_parts(inp, portal.values(), codes, details=False).passed
    figures_by_code = {f.code: f for f in inp.schools}
    key_of = {f.code: family_key(f) for f in inp.schools}
    resolved = resolutions(stat_year=stat_year)
    visible = None if schools is None else set(schools.values_list("pk", flat=True))
    rows: list[SchoolRow] = []
    missing = []
    for code, pk in pk_of.items():
        if visible is not None and pk not in visible:
            continue
        ret = returns.get(pk)
        stat = stats_by_code.get(code)
        if stat is None:
            if ret is not None:
                missing.append(pk)
            continue
        portal_row = {f: ret[f] for f in STAT_FIGURES} if ret is not None else {}
        diffs = figure_differences(portal_row, stat["figures"], stat["steps"])
        if code in figures_by_code:
            classes = [(c.section, c.grade, c.name, c.students) for c in figures_by_code[code].classes]
            diffs += band_differences(classes, stat["bands"])
        key = key_of.get(code)
        if not diffs and key not in changed:
            continue  # no difference, and the same figures both ways: the same verdict
        before_part, after_part = portal.get(key), with_stats.get(key)
        verdict_before = part_verdicts(before_part).get(code) if before_part else None
        verdict_after = part_verdicts(after_part).get(code) if after_part else None
        row = SchoolRow(pk, verdict_before, verdict_after)
        if diffs:
            before = part_statuses(before_part).get(code, {}) if before_part else {}
            after = part_statuses(after_part).get(code, {}) if after_part else {}
            for d in diffs:
                changed_codes = changed_indicators(before, after, d.indicators)
                row.differences.append((d, changed_codes, resolved.get((pk, d.figure))))
        if row.differences or row.flips:
            rows.append(row)
    listed = School.objects.select_related("township", "parent").in_bulk([r.school for r in rows] + missing)
    for row in rows:
        row.school = listed[row.school]
    missing = [listed[pk] for pk in missing]
    rows.sort(key=lambda r: (not r.flips, r.school.code))
    return Reconciliation(
        year=year,
        round=rnd,
        stat_year=stat_year,
        county_portal=county_portal,
        county_statistics=county_statistics,
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
