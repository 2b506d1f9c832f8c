"""The statistics return in the data-quality findings (schools.quality): `stat(figure)` of the rule language reads
its figures (STAT_SOURCES), and a figure of a return pre-filled from it and then changed away from its value is a
warning (EXTRA_CHECKS, rule STAT_DIFF): it will differ from what the inspectors read, so it needs an explanation."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from schools.quality.findings import RULE, WARNING, Finding

from .labels import figure_label
from .models import PrefilledReturn
from .selectors import statistics_figures

STAT_DIFF = "STAT_DIFF"


def stat_source(school_ids, year):
    return statistics_figures(school_ids=list(school_ids), year=year)


def _text(value) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value):,.2f}"
    return text[:-3] if text.endswith(".00") else text


def changed_from_statistics_check(returns, context) -> dict:
    """One warning per figure a pre-filled return holds away from the statistics value (one query for any number)."""
    ids = [r.return_id for r in returns if r.return_id is not None]
    if not ids:
        return {}
    prefills = dict(PrefilledReturn.objects.filter(school_return_id__in=ids).values_list("school_return_id", "figures"))
    out: dict = {}
    for r in returns:
        taken = prefills.get(r.return_id)
        if not taken:
            continue
        for figure, raw in taken.items():
            stat = Decimal(raw)
            current = r.figures.get(figure)
            if current is not None and Decimal(current) == stat:
                continue
            label = figure_label(figure)
            out.setdefault(r.return_id, []).append(
                Finding(
                    rule_code=STAT_DIFF,
                    rule_label=_("与统计基表不一致"),
                    importance=WARNING,
                    field=figure,
                    message=_(
                        "%(label)s为%(value)s，统计基表为%(stat)s：将与督导检查所用的统计数据不一致，请说明原因。"
                    )
                    % {"label": label, "value": _text(current), "stat": _text(stat)},
                    left=None if current is None else Decimal(current),
                    right=stat,
                    kind=RULE,
                )
            )
    return out
