"""Reads of the statistics return, in a fixed number of queries whatever the number of schools."""

from __future__ import annotations

from decimal import Decimal

from schools.models import SchoolReturn

from .labels import figure_label
from .models import PrefilledReturn, Resolution, StatisticsSchool, StatisticsYear


def statistics_year(year: int) -> StatisticsYear | None:
    return StatisticsYear.objects.select_related("school_year", "format").filter(school_year__year=year).first()


def statistics_rows(*, stat_year: StatisticsYear, school_ids=None) -> dict[int, dict]:
    """school id → {"figures": {figure: Decimal}, "steps": {...}, "bands": {...}} (one query)."""
    qs = StatisticsSchool.objects.filter(stat_year=stat_year)
    if school_ids is not None:
        qs = qs.filter(school_id__in=school_ids)
    out = {}
    for school_id, figures, steps, bands in qs.values_list("school_id", "figures", "steps", "bands").iterator(
        chunk_size=5000
    ):
        out[school_id] = {
            "figures": {k: Decimal(v) for k, v in figures.items()},
            "steps": {k: Decimal(v) for k, v in steps.items()},
            "bands": bands,
        }
    return out


def statistics_figures(*, school_ids, year: int) -> dict[int, dict[str, Decimal]]:
    """The figures of the statistics return of `year` by school id (the rule language's stat(figure))."""
    stat_year = StatisticsYear.objects.filter(school_year__year=year).first()
    if stat_year is None:
        return {}
    return {sid: row["figures"] for sid, row in statistics_rows(stat_year=stat_year, school_ids=school_ids).items()}


def resolutions(*, stat_year: StatisticsYear) -> dict[tuple[int, str], Resolution]:
    return {(r.school_id, r.figure): r for r in Resolution.objects.filter(stat_year=stat_year).select_related("by")}


def changed_from_statistics(school_return: SchoolReturn) -> list[tuple[str, Decimal, Decimal | None]]:
    """(figure, statistics value, current value) of each figure of a pre-filled return changed away from the
    statistics value: each will differ from what the inspectors read, so each needs an explanation."""
    prefill = PrefilledReturn.objects.filter(school_return=school_return).first()
    if prefill is None:
        return []
    out = []
    for figure, raw in prefill.figures.items():
        current = getattr(school_return, figure)
        stat = Decimal(raw)
        if current is None or Decimal(current) != stat:
            out.append((figure, stat, None if current is None else Decimal(current)))
    return out


def prefill_changes(*, return_ids) -> dict[int, list[tuple[str, Decimal, Decimal | None]]]:
    """changed_from_statistics for many returns in two queries."""
    prefills = dict(
        PrefilledReturn.objects.filter(school_return_id__in=return_ids).values_list("school_return_id", "figures")
    )
    if not prefills:
        return {}
    fields = sorted({f for figures in prefills.values() for f in figures})
    values = {row["pk"]: row for row in SchoolReturn.objects.filter(pk__in=list(prefills)).values("pk", *fields)}
    out = {}
    for rid, figures in prefills.items():
        changed = []
        for figure, raw in figures.items():
            current = values.get(rid, {}).get(figure)
            if current is None or Decimal(current) != Decimal(raw):
                changed.append((figure, Decimal(raw), None if current is None else Decimal(current)))
        if changed:
            out[rid] = changed
    return out


def prefilled_summary() -> list[dict]:
    """Each figure of a pre-filled return of an open official round changed away from the statistics value (they
    need an explanation): school, round, figure, statistics value, current value. Three queries."""
    ids = list(
        PrefilledReturn.objects.filter(
            school_return__round__is_open=True, school_return__deleted_at__isnull=True
        ).values_list("school_return_id", flat=True)
    )
    changes = prefill_changes(return_ids=ids)
    if not changes:
        return []
    returns = SchoolReturn.objects.filter(pk__in=list(changes)).select_related("school", "round__school_year")
    rows = []
    for ret in sorted(returns, key=lambda r: r.school.code):
        for figure, stat, current in changes[ret.pk]:
            rows.append(
                {
                    "school_return": ret,
                    "figure": figure,
                    "label": figure_label(figure),
                    "stat": stat,
                    "current": current,
                }
            )
    return rows
