"""The county rule of area 1: the between-school coefficient of variation (差异系数), weighted by enrolment.

For one indicator and one section, with P_i a school's students in that section, P = Σ P_i, X_i its value:

    X̄ = Σ P_i·X_i / P        S = sqrt( Σ (P_i/P)·(X_i − X̄)² )        CV = S / X̄

Every one of the seven CVs must be ≤ the section's limit. The mean of the seven ("综合", a habit from the 2012
rules) is kept only as `informational_mean_cv` and decides nothing. An unweighted σ/μ is a known mistake in
public tools; `unweighted_cv` exists only to show the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, localcontext
from typing import NamedTuple

from .decimals import PRECISION, ZERO, exact
from .resource import SectionResult
from .standard import Standard
from .status import MET, NO_DATA, NOT_MET, combine, verdict

Pair = tuple[int, Decimal]  # (students P_i, value X_i)


@dataclass(frozen=True, slots=True)
class CvStats:
    """Weighted mean, variance Σ(P_i/P)(X_i − X̄)², sd and CV of one indicator; `cv` None when the mean is 0."""

    n: int
    students: int
    mean: Decimal
    variance: Decimal
    sd: Decimal
    cv: Decimal | None


# Sums of P_i·X_i over thousands of schools need more digits than one value has: a 50-digit X_i times a 4-digit P_i
# summed 10,000 times is about 60 digits. Computing the mean and the squares at this width keeps X̄ exact where it can
# be, so identical values give a variance of exactly 0 (not 1E-50) before the results are rounded back to 50 digits.
_WIDE = Context(prec=2 * PRECISION + 20)
# The moments below are exact: any rounding raises Inexact, and the statistics are then computed as before.
_SUMS = Context(prec=1000, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])


class Moments(NamedTuple):
    """n, Σ P_i, Σ P_i·X_i and Σ P_i·X_i² over the pairs with students, all exact; `s1` and `s2` are None when
    they could not be kept exact. Moments add up part by part, so a county's are the sum of its families'."""

    n: int
    s0: int
    s1: Decimal | None
    s2: Decimal | None


NO_MOMENTS = Moments(0, 0, ZERO, ZERO)


def moments(pairs: Iterable[Pair]) -> Moments:
    n = s0 = 0
    s1 = s2 = ZERO
    try:
        with localcontext(_SUMS):
            for p, x in pairs:
                if p:
                    px = p * x
                    n += 1
                    s0 += p
                    s1 += px
                    s2 += px * x
    except Inexact:
        return Moments(n, s0, None, None)
    return Moments(n, s0, s1, s2)


def sum_moments(found: Iterable[Moments]) -> Moments:
    """The moments of several sets of pairs together (exact; `s1`, `s2` None when any is, or the sum is not)."""
    found = list(found)
    n, s0 = sum(m.n for m in found), sum(m.s0 for m in found)
    if any(m.s1 is None for m in found):
        return Moments(n, s0, None, None)
    try:
        with localcontext(_SUMS):
            return Moments(n, s0, sum((m.s1 for m in found), ZERO), sum((m.s2 for m in found), ZERO))
    except Inexact:
        return Moments(n, s0, None, None)


def _sum_squares(pairs: Iterable[Pair], mean: Decimal) -> Decimal:
    """Σ P_i·(X_i − X̄)² (a product, not ** 2: Decimal powers are far slower than multiplication)."""
    total = ZERO
    for p, x in pairs:
        d = x - mean
        total += p * d * d
    return total


def _weighted_cv_by_deviations(pairs: Iterable[Pair]) -> CvStats | None:
    """The statistics from the deviations X_i − X̄ at the wide precision (when the moments are not exact)."""
    pairs = [(p, x) for p, x in pairs if p]
    total = sum(p for p, _ in pairs)
    if not total:
        return None
    with localcontext(_WIDE):
        wide_mean = sum((p * x for p, x in pairs), ZERO) / total
        wide_variance = _sum_squares(pairs, wide_mean) / total
    mean, variance = +wide_mean, +wide_variance  # back to the engine's 50 digits
    sd = variance.sqrt()
    cv = sd / mean if mean else None
    return CvStats(len(pairs), total, mean, variance, sd, cv)


@exact
def cv_stats(m: Moments, pairs: Callable[[], Iterable[Pair]]) -> CvStats | None:
    """The statistics of exact moments: X̄ = S1/S0 and the variance (S0·S2 − S1²)/S0², each one exact quotient
    rounded once to 50 digits. `pairs` gives the pairs again for moments that are not exact."""
    if m.s1 is None:
        return _weighted_cv_by_deviations(pairs())
    if not m.s0:
        return None
    try:
        with localcontext(_SUMS):
            spread = m.s0 * m.s2 - m.s1 * m.s1
    except Inexact:
        return _weighted_cv_by_deviations(pairs())
    mean = m.s1 / m.s0
    variance = spread / (m.s0 * m.s0)
    sd = variance.sqrt()
    cv = sd / mean if mean else None
    return CvStats(m.n, m.s0, mean, variance, sd, cv)


@exact
def weighted_cv(pairs: Iterable[Pair]) -> CvStats | None:
    """The enrolment-weighted statistics of (P_i, X_i) pairs; None when there are no students at all."""
    pairs = list(pairs)
    return cv_stats(moments(pairs), lambda: pairs)


@exact
def weighted_terms(pairs: Sequence[Pair]) -> list[Decimal]:
    """Each school's term (P_i/P)·(X_i − X̄)², in the order given, for the report's CV calculation annex."""
    total = sum(p for p, _ in pairs)
    if not total:
        return [ZERO for _ in pairs]
    with localcontext(_WIDE):
        mean = sum((p * x for p, x in pairs), ZERO) / total
        terms = [p * (x - mean) * (x - mean) / total for p, x in pairs]
    return [+t for t in terms]


@exact
def cv_annex_rows(results: Sequence[SectionResult], code: str) -> list[dict[str, object]]:
    """The CV calculation annex of one indicator: per school P_i, X_i, P_i/P and the term (P_i/P)(X_i − X̄)²."""
    pairs, _ = section_pairs(results, code)
    known = [r for r in results if r.results[code].value is not None and r.unit.students is not None]
    total = sum(p for p, _ in pairs)
    terms = weighted_terms(pairs)
    return [
        {"school": r.school_code, "students": p, "value": x, "weight": Decimal(p) / total, "term": t}
        for r, (p, x), t in zip(known, pairs, terms, strict=True)
    ]


@exact
def unweighted_cv(values: Sequence[Decimal]) -> Decimal | None:
    """Population σ/μ ignoring enrolment — the known mistake, for comparison only; never used for a verdict."""
    if not values:
        return None
    mean = sum(values, ZERO) / len(values)
    if not mean:
        return None
    return (sum(((x - mean) * (x - mean) for x in values), ZERO) / len(values)).sqrt() / mean


@exact
def cv_status(stats: CvStats | None, limit: Decimal) -> str:
    """met when CV ≤ limit, compared as variance ≤ (limit·X̄)² so that no square root rounding enters."""
    if stats is None or stats.cv is None:
        return NO_DATA
    bound = limit * stats.mean
    return MET if stats.variance <= bound * bound else NOT_MET


@exact
def judge_cvs(cvs: Mapping[str, Decimal | None], limit: Decimal) -> tuple[dict[str, str], Decimal | None]:
    """Statuses of given CV values against one limit, and their mean (informational only: it decides nothing)."""
    statuses = {c: NO_DATA if v is None else MET if v <= limit else NOT_MET for c, v in cvs.items()}
    known = [v for v in cvs.values() if v is not None]
    mean = sum(known, ZERO) / len(known) if known and len(known) == len(cvs) else None
    return statuses, mean


@dataclass(frozen=True)
class SectionCv:
    """The CV table of one section: statistics, statuses and, per indicator, the schools lacking a value."""

    section: str
    limit: Decimal
    stats: dict[str, CvStats | None]
    status: dict[str, str]
    missing: dict[str, tuple[str, ...]]
    n_units: int
    informational_mean_cv: Decimal | None

    @property
    def met(self) -> dict[str, bool | None]:
        return {c: verdict(s) for c, s in self.status.items()}

    @property
    def passed(self) -> bool | None:
        """All seven CVs within the limit (the informational mean plays no part)."""
        return verdict(combine(self.status.values()))


def section_pairs(results: Sequence[SectionResult], code: str) -> tuple[list[Pair], list[str]]:
    """The (P_i, X_i) pairs of one indicator over a section's results, and the schools whose value is unknown."""
    pairs: list[Pair] = []
    missing: list[str] = []
    for r in results:
        value = r.results[code].value
        if value is None or r.unit.students is None:
            missing.append(r.school_code)
        else:
            pairs.append((r.unit.students, value))
    return pairs, missing


@exact
def section_cv(section: str, results: Sequence[SectionResult], standard: Standard) -> SectionCv:
    """The seven CVs of one section over the given rows (all of the section's evaluated rows).

    A CV with any row lacking its value is `no_data`: the statistics shown are then over the known rows only.
    """
    sums: dict[str, Moments] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for code in standard.resource_codes:
        pairs, lacking = section_pairs(results, code)
        sums[code] = moments(pairs)
        if lacking:
            missing[code] = tuple(lacking)
    return cv_table(section, standard, sums, missing, len(results), lambda code: section_pairs(results, code)[0])


@exact
def cv_table(
    section: str,
    standard: Standard,
    sums: Mapping[str, Moments],
    missing: Mapping[str, tuple[str, ...]],
    n_units: int,
    pairs_of: Callable[[str], Iterable[Pair]],
) -> SectionCv:
    """The CV table of a section from its rows' moments per indicator (`sums`) and the schools lacking a value
    (`missing`, by code, in the rows' order); `pairs_of(code)` gives an indicator's pairs again when its moments
    are not exact."""
    limit = standard.cv_limits[section]
    stats: dict[str, CvStats | None] = {}
    status: dict[str, str] = {}
    lacking: dict[str, tuple[str, ...]] = {}
    for code in standard.resource_codes:
        stats[code] = cv_stats(sums.get(code, NO_MOMENTS), lambda c=code: pairs_of(c))
        schools = missing.get(code)
        status[code] = NO_DATA if schools else cv_status(stats[code], limit)
        if schools:
            lacking[code] = tuple(schools)
    cvs = {c: (s.cv if s is not None and not lacking.get(c) else None) for c, s in stats.items()}
    _, mean_cv = judge_cvs(cvs, limit)
    return SectionCv(section, limit, stats, status, lacking, n_units, mean_cv)
