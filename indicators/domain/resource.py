"""Area 1 per school section: the seven resource values, their met flags and the 6-of-7 rule with its 85 % floor.

A value is count ÷ students × 100 ("per hundred students") or total ÷ students ("per student"). Met flags are
decided on exact numbers by cross-multiplying (num·per ≥ threshold·den·students), never on a rounded value:
a value exactly at its threshold is met. A value that cannot be computed (an unknown figure) is `no_data`.

The rule: a section passes when at least `min_met` of the seven are met and each missed one reaches at least
`tolerance_floor` (85 %) of its threshold; such a miss is marked `within_tolerance`. With unknown values the
verdict is None unless the known values already decide it (a failure stays a failure).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from .decimals import ONE, exact, working_context
from .sections import SectionUnit, Share
from .standard import IndicatorDef, Standard
from .status import MET, NO_DATA, NOT_MET, WITHIN_TOLERANCE


class IndicatorResult(NamedTuple):
    """One indicator of one section; `value` unrounded (50 significant digits)."""

    code: str
    value: Decimal | None
    threshold: Decimal
    status: str
    within_tolerance: bool = False

    @property
    def ratio(self) -> Decimal | None:
        """value ÷ threshold: how much of the threshold is reached (for display; flags never use it)."""
        if self.value is None or not self.threshold:
            return None
        with working_context():
            return self.value / self.threshold

    @property
    def display_status(self) -> str:
        """met / not_met / within_tolerance / no_data (a miss within the floor shown apart)."""
        return WITHIN_TOLERANCE if self.within_tolerance else self.status


class SectionResult(NamedTuple):
    """A section's seven results and its verdict under the 6-of-7 rule (None: not decidable on the data)."""

    unit: SectionUnit
    results: dict[str, IndicatorResult]
    met_count: int
    passed: bool | None

    @property
    def school_code(self) -> str:
        return self.unit.school_code

    @property
    def section(self) -> str:
        return self.unit.section

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(c for c, r in self.results.items() if r.status == NOT_MET)

    @property
    def no_data(self) -> tuple[str, ...]:
        return tuple(c for c, r in self.results.items() if r.status == NO_DATA)

    @property
    def status(self) -> str:
        """passed / passed_within_tolerance / failed / no_data."""
        if self.passed is None:
            return NO_DATA
        if not self.passed:
            return "failed"
        return "passed_within_tolerance" if self.missed else "passed"


def _judge(code: str, share: Share | None, per: int, students: int | None, threshold: Decimal, floor: Decimal):
    """value = share × per ÷ students, met when num ≥ threshold × den (exact), within the floor otherwise."""
    if share is None or students is None or students <= 0:
        return IndicatorResult(code, None, threshold, NO_DATA)
    num = share.num * per
    den = share.den * students
    value = num / den
    if num >= threshold * den:
        return IndicatorResult(code, value, threshold, MET, False)
    return IndicatorResult(code, value, threshold, NOT_MET, num >= floor * threshold * den)


@exact
def indicator_result(unit: SectionUnit, defn: IndicatorDef, standard: Standard) -> IndicatorResult:
    """One resource indicator of one section, judged exactly against the section's threshold."""
    share = unit.figure(defn.figure)
    threshold = defn.thresholds[unit.section]
    return _judge(defn.code, share, defn.per, unit.students, threshold, standard.tolerance_floor)


def six_of_seven(results: dict[str, IndicatorResult], standard: Standard) -> bool | None:
    """The school rule: ≥ min_met met and every miss within the floor. None when unknown values could decide."""
    allowed_misses = len(results) - standard.min_met
    missed = [r for r in results.values() if r.status == NOT_MET]
    unknown = sum(1 for r in results.values() if r.status == NO_DATA)
    if len(missed) > allowed_misses or any(not r.within_tolerance for r in missed):
        return False
    if unknown:
        return None
    return True


@exact
def evaluate_unit(unit: SectionUnit, standard: Standard) -> SectionResult:
    """All resource indicators of one section and its verdict."""
    results = {}
    met = 0
    floor, section, students, resources = standard.tolerance_floor, unit.section, unit.students, unit.resources
    for defn in standard.resource_defs:
        figure = defn.figure
        if figure in resources:
            share = resources[figure]
        else:
            count = getattr(unit, figure)
            share = None if count is None else Share(count, ONE)
        r = results[defn.code] = _judge(defn.code, share, defn.per, students, defn.thresholds[section], floor)
        met += r.status == MET
    return SectionResult(unit, results, met, six_of_seven(results, standard))
