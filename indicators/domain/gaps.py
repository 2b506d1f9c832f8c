"""Gaps (缺口): how much is missing to meet each unmet threshold, in natural units, and what would bring a CV down.

School gaps:
  R1–R3   teachers needed = ceil(threshold × students / 100) − count
  R4, R5  m² = threshold × students − area;  R6 yuan likewise;  R7 rooms = ceil(threshold × students / 100 − rooms)
          (for a split section: the gap of that section's share)
  G3      rooms of each kind missing;  G4 students over the cap;  G6, G7, Q4 yuan;  G12 teachers to certify.
  G5      per grade with an oversized class, the classes to add: ceil(grade students / cap) − classes
          (0: re-dividing the grade's classes is enough).

CV improvement for a CV over its limit (resources are only ever added, never taken away):
  drivers  for each school below the county mean, the CV if that school alone were raised to the mean;
  steps    greedy: at each step raise the school whose raise to the current mean lowers the CV most, until
           the CV is within the limit. Raising school j (share p = P_j/P, shortfall d = X̄ − X_j) changes
           X̄ to X̄ + p·d and the variance V to V − p(1 + p)·d², so each candidate costs O(1).
  The greedy list is a heuristic plan, NOT claimed to be the least total resource. It is bounded: candidates
  are the `pool_size` schools whose single raise helps most at the start, and at most `max_steps` steps;
  `drivers` lists the `max_drivers` schools whose raise alone helps most (all of them with None).
  `improvement_gaps` turns the steps into gaps that `costing.cost_gaps` can price.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from .decimals import ZERO, ceil_int, exact
from .guarantee import SchoolCheck
from .resource import SectionResult
from .standard import Standard
from .status import EMPTY, NOT_MET

UNIT_OF_FIGURE = {
    "teachers_above_required": "teachers",
    "teachers_backbone": "teachers",
    "teachers_pe_arts": "teachers",
    "teaching_area_m2": "m2",
    "sports_area_m2": "m2",
    "equipment_value_yuan": "yuan",
    "multimedia_rooms": "rooms",
}
WHOLE_UNITS = ("teachers", "rooms", "classes", "students")


class Gap(NamedTuple):
    """An amount missing: `resource` names what (a school figure, "music_rooms", "extra_classes"...)."""

    code: str
    school_code: str
    section: str
    resource: str
    quantity: Decimal
    unit: str
    detail: Mapping[str, Any] = EMPTY


@exact
def resource_gaps(result: SectionResult, standard: Standard) -> list[Gap]:
    """The gap of every unmet resource indicator of one section."""
    gaps = []
    unit = result.unit
    for code, r in result.results.items():
        if r.status != NOT_MET:
            continue
        defn = standard.indicators[code]
        current = unit.figure(defn.figure).amount
        needed = r.threshold * unit.students / defn.per
        kind = UNIT_OF_FIGURE.get(defn.figure, "")
        quantity = Decimal(ceil_int(needed - current)) if kind in WHOLE_UNITS else needed - current
        detail = {"needed": needed, "current": current, "within_tolerance": r.within_tolerance}
        gaps.append(Gap(code, unit.school_code, unit.section, defn.figure, quantity, kind, detail))
    return gaps


def check_gaps(check: SchoolCheck) -> list[Gap]:
    """The gaps of one unmet school-level item (G3, G4, G5, G6, G7, G12, Q4)."""
    if check.status != NOT_MET:
        return []
    d, code, school = check.detail, check.code, check.school_code
    if code == "G3":
        return [
            Gap(
                code,
                school,
                "",
                f"{kind}_rooms",
                Decimal(d[kind]["missing"]),
                "rooms",
                {"required": d["required"], "min_area_m2": d[kind]["min_area_m2"]},
            )
            for kind in ("music", "art")
            if kind in d and d[kind]["missing"] > 0
        ]
    if code == "G4":
        return [Gap(code, school, "", "students_over_cap", Decimal(d["over"]), "students", {"cap": d["cap"]})]
    if code == "G5":
        return [
            Gap(code, school, g["section"], "extra_classes", Decimal(g["extra_classes"]), "classes", dict(g))
            for g in d["grades"]
        ]
    if code in ("G6", "G7"):
        return [Gap(code, school, "", "public_funds_yuan", d["missing"], "yuan", {})]
    if code == "G12":
        return [Gap(code, school, "", "certified_teachers", Decimal(d["uncertified"]), "teachers", {})]
    if code == "Q4":
        return [Gap(code, school, "", "training_funds_yuan", d["missing"], "yuan", {})]
    return []


# -------------------------------------------------------------------------------------------- CV improvement


@dataclass(frozen=True, slots=True)
class CvDriver:
    """The CV if this school alone were raised to the county mean, and what that raise adds (natural units)."""

    school_code: str
    students: int
    value: Decimal
    cv_if_raised: Decimal
    added: Decimal


@dataclass(frozen=True, slots=True)
class CvStep:
    """One greedy step: the school raised from `value_before` to `value_after` (the mean at that step)."""

    school_code: str
    students: int
    value_before: Decimal
    value_after: Decimal
    added: Decimal
    cv_after: Decimal


@dataclass(frozen=True)
class CvImprovement:
    """What brings one section's CV of one indicator within its limit; `reached` False if the steps ran out."""

    section: str
    code: str
    cv: Decimal
    limit: Decimal
    unit: str
    drivers: tuple[CvDriver, ...]
    steps: tuple[CvStep, ...]
    reached: bool
    figure: str = ""

    @property
    def total_added(self) -> Decimal:
        return sum((s.added for s in self.steps), ZERO)


def _cv2_if_raised(p: Decimal, x: Decimal, mean: Decimal, var: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(CV², new mean, new variance) after raising one school of weight p from x to the mean."""
    d = mean - x
    new_mean = mean + p * d
    new_var = max(ZERO, var - p * (1 + p) * d * d)
    return new_var / (new_mean * new_mean), new_mean, new_var


def _estimate_bound(mean_f: float, var_f: float, least: float) -> float:
    """Twice the error bound of the floating-point CV² estimates near `least` (see _least_cv2_candidates)."""
    return 2e-12 * (var_f / (mean_f * mean_f) + 2 + least)


def _least_estimates(below: list[tuple], weights: dict, mean: Decimal, var: Decimal, k: int) -> list[tuple]:
    """The rows (code, pupils, value; below the mean) whose CV² if raised may be among the k least, in their order:
    those whose estimate is within the bound of the k-th least estimate (the k least exact values are among them,
    equal ones included, by the argument of _least_cv2_candidates)."""
    if len(below) <= k:
        return below
    mean_f, var_f = float(mean), float(var)
    estimates = []
    for c, _p, x in below:
        w = float(weights[c])
        d = mean_f - float(x)
        new_mean = mean_f + w * d
        estimates.append(max(0.0, var_f - w * (1 + w) * d * d) / (new_mean * new_mean))
    kth = heapq.nsmallest(k, estimates)[-1]
    cut = kth + _estimate_bound(mean_f, var_f, kth)
    return [row for row, f in zip(below, estimates, strict=True) if f <= cut]


def _least_cv2_candidates(pool: dict[str, tuple], mean: Decimal, var: Decimal) -> list[str]:
    """The pool's schools below the mean whose CV² if raised may be the least, in pool order: each candidate's CV² is
    estimated in floating point, and those within twice the estimates' error bound of the least estimate are kept
    for the exact comparison. The exact least is among them (its estimate is within the bound of its value, itself
    no more than any other's value), ties included; the rest need no exact arithmetic (a greedy step compares 200
    candidates, 50 steps a CV over its limit).

    Bound: with 0 ≤ x < mean and a share w ≤ 1, the new variance var − w(1 + w)(mean − x)² is computed from terms no
    larger than var + 2·mean², and divided by a new mean of at least mean, so each estimate is within a few units of
    2⁻⁵³ × (var/mean² + 2 + the estimate) of its exact value; 10⁻¹² × (…) is some thousand times that."""
    mean_f, var_f = float(mean), float(var)
    found: list[tuple[float, str]] = []
    for c, (_p, x, x_f, w) in pool.items():
        if x >= mean:
            continue
        d = mean_f - x_f
        new_mean = mean_f + w * d
        found.append((max(0.0, var_f - w * (1 + w) * d * d) / (new_mean * new_mean), c))
    if not found:
        return []
    least = min(f for f, _c in found)
    cut = least + _estimate_bound(mean_f, var_f, least)
    return [c for f, c in found if f <= cut]


@exact
def cv_improvement(
    section: str,
    code: str,
    rows: Sequence[tuple[str, int, Decimal]],
    limit: Decimal,
    per: int = 1,
    unit: str = "",
    figure: str = "",
    max_steps: int = 50,
    max_drivers: int | None = 50,
    pool_size: int = 200,
) -> CvImprovement | None:
    """Drivers and greedy steps for one CV over its limit; rows are (school code, students P_i, value X_i).

    Returns None when the CV is already within the limit or undefined (no students, mean 0).
    `added` amounts are P_i·(X̄ − X_i)/per: m², yuan, or teachers/rooms (exact; round up to act on them).
    """
    rows = [r for r in rows if r[1]]
    total = sum(r[1] for r in rows)
    if not total:
        return None
    mean = sum((r[1] * r[2] for r in rows), ZERO) / total
    if not mean:
        return None
    var = sum((r[1] * (r[2] - mean) * (r[2] - mean) for r in rows), ZERO) / total
    if var <= limit * mean * limit * mean:
        return None
    cv = var.sqrt() / mean

    weights = {c: Decimal(p) / total for c, p, _ in rows}
    below = [(c, p, x) for c, p, x in rows if x < mean]
    if max_drivers is not None:  # only the schools that may be among the drivers or the pool are scored exactly
        below = _least_estimates(below, weights, mean, var, max(max_drivers, pool_size))
    scored = [(_cv2_if_raised(weights[c], x, mean, var)[0], c, p, x) for c, p, x in below]

    ranked = sorted(scored) if max_drivers is None else heapq.nsmallest(max_drivers, scored)
    drivers = tuple(CvDriver(c, p, x, cv2.sqrt(), p * (mean - x) / per) for cv2, c, p, x in ranked)

    pool = {c: (p, x, float(x), float(weights[c])) for _, c, p, x in heapq.nsmallest(pool_size, scored)}
    steps: list[CvStep] = []
    limit2 = limit * limit
    cv2_now = var / (mean * mean)
    while len(steps) < max_steps and cv2_now > limit2:
        best = None
        for c in _least_cv2_candidates(pool, mean, var):  # pool order: the first of equal CVs wins, as always
            p, x = pool[c][:2]
            cand = _cv2_if_raised(weights[c], x, mean, var)
            if best is None or cand[0] < best[0][0]:
                best = (cand, c, p, x)
        if best is None or best[0][0] >= cv2_now:
            break
        (cv2_now, new_mean, new_var), c, p, x = best
        steps.append(CvStep(c, p, x, mean, p * (mean - x) / per, cv2_now.sqrt()))
        pool[c] = (p, mean, float(mean), pool[c][3])
        mean, var = new_mean, new_var
    return CvImprovement(section, code, cv, limit, unit, drivers, tuple(steps), cv2_now <= limit2, figure)


def improvement_gaps(imp: CvImprovement) -> list[Gap]:
    """The greedy steps as gaps (whole teachers and rooms rounded up), one per school, for costing."""
    added: dict[str, Decimal] = {}
    for s in imp.steps:
        added[s.school_code] = added.get(s.school_code, ZERO) + s.added
    whole = imp.unit in WHOLE_UNITS
    return [
        Gap(
            imp.code,
            school,
            imp.section,
            imp.figure,
            Decimal(ceil_int(q)) if whole else q,
            imp.unit,
            {"source": "cv_improvement"},
        )
        for school, q in added.items()
    ]


def improvement_rows(results: Sequence[SectionResult], code: str) -> list[tuple[str, int, Decimal]]:
    """(school code, students, value) of one indicator over a section's rows with a known value."""
    return [
        (r.school_code, r.unit.students, r.results[code].value)
        for r in results
        if r.results[code].value is not None and r.unit.students
    ]
