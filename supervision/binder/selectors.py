"""Reads of the binder: the binders a user may see, the rounds one can be built from, each indicator's verdict."""

from __future__ import annotations

from collections import defaultdict

from indicators import verdicts
from indicators.models import EvaluationState, SchoolResult, SectionCV
from indicators.services import indicator_names
from schools.models import School
from supervision.models import Cycle
from supervision.reports.selectors import R_CODES, rounds_with_results

from .sources import Scope

__all__ = ["indicator_names", "rounds_with_results"]
# The worst status of an indicator's rows decides its word (indicators/verdicts.py's vocabulary).
WORST = ("not_met", "within_tolerance", "met")


def cycles():
    return list(Cycle.objects.all())


def township_school_ids(township_id: int) -> frozenset[int]:
    return frozenset(School.objects.filter(township_id=township_id).values_list("pk", flat=True))


def _worst(statuses) -> str:
    present = set(statuses)
    return next((s for s in WORST if s in present), "no_data")


def indicator_verdicts(scope: Scope, codes) -> dict[str, str]:
    """达标 / 未达标 / 无数据 … per indicator: the county's stored verdict (R-items: the sections' CVs; the others: the
    evaluation's item), or for a township the worst of its own schools' stored results (nothing of the county's)."""
    if not scope.county:
        statuses: dict[str, list[str]] = defaultdict(list)
        rows = SchoolResult.objects.filter(round=scope.round, school_id__in=scope.school_ids or ())
        for code, status in rows.values_list("code", "status"):
            statuses[code].append(status)
        return {c: verdicts.indicator_word(_worst(statuses[c])) for c in codes}
    state = EvaluationState.objects.filter(round=scope.round).first()
    items = (state.result or {}).get("items", {}) if state else {}
    cv_met: dict[str, list] = defaultdict(list)
    for code, met in SectionCV.objects.filter(round=scope.round).values_list("code", "met"):
        cv_met[code].append(met)
    out = {}
    for code in codes:
        if code in R_CODES:
            mets = cv_met.get(code, [])
            status = (
                "not_met" if False in mets else "met" if mets and all(m is True for m in mets) else "no_data"
            )  # fmt: skip
        else:
            status = (items.get(code) or {}).get("status", "no_data")
        out[code] = verdicts.indicator_word(status)
    return out


def county_items(scope: Scope) -> dict:
    """The evaluation's stored county items of the round (for the result tables of the county's binder)."""
    state = EvaluationState.objects.filter(round=scope.round).first()
    return (state.result or {}).get("items", {}) if state else {}


def binder_rows(*, binders, limit: int = 50) -> list:
    """The latest binders of `binders` (the user's, from access.binders_for) with what the list shows: one query."""
    return list(binders.select_related("cycle", "round__school_year", "township", "requested_by")[:limit])
