"""Result words shared by every module: met / not met / no data, and how several of them combine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

MET = "met"
NOT_MET = "not_met"
NO_DATA = "no_data"
STATUSES = (MET, NOT_MET, NO_DATA)
# A stored result's status for a miss within the tolerance floor (resource.py); with NOT_MET, the stored statuses of
# a result that misses its threshold: what the gaps, the matrix, the reports and the ledger count as failing.
WITHIN_TOLERANCE = "within_tolerance"
MISSED = (NOT_MET, WITHIN_TOLERANCE)

# Result records are NamedTuples: immutable like frozen dataclasses, and several times cheaper to create
# (an evaluation of 10,000 schools makes hundreds of thousands of them). An empty detail is shared read-only.
EMPTY: Mapping[str, Any] = MappingProxyType({})


def combine(statuses: Iterable[str]) -> str:
    """All must be met: one failure decides (not met); otherwise unknown data leaves it open (no data)."""
    seen_no_data = False
    for s in statuses:
        if s == NOT_MET:
            return NOT_MET
        if s == NO_DATA:
            seen_no_data = True
    return NO_DATA if seen_no_data else MET


def verdict(status: str) -> bool | None:
    """met → True, not met → False, no data → None (never a pass)."""
    return True if status == MET else False if status == NOT_MET else None


class Finding(NamedTuple):
    """Something that keeps the county from recognition: a failure (`blocking`) or missing data (`no_data`).

    `school_code` and `section` are empty for county-level items. `definite` is False for a failure that
    missing data could still change (a CV computed while schools are missing).
    """

    code: str
    reason: str
    school_code: str = ""
    section: str = ""
    definite: bool = True
    detail: Mapping[str, Any] = EMPTY


class NotEvaluated(NamedTuple):
    """A school or section left out by rule, not for lack of data (0 students, special school, merged point...)."""

    school_code: str
    section: str
    reason: str
