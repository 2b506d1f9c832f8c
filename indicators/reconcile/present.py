"""Words of the reconciliation: a difference's figure, its values and the indicators it changes."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from schools.models import SECTION_LABELS
from schools.statistics.labels import figure_label

from .. import verdicts


def figure_name(figure: str) -> str:
    if figure.startswith("bands_"):
        return _("%(section)s班额分布（班数）") % {"section": SECTION_LABELS.get(figure[6:], figure[6:])}
    return figure_label(figure)


def number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def changed_text(changed) -> str:
    """R4（小学）：达标 → 未达标；…"""
    parts = []
    for code, section, before, after in changed:
        where = f"（{SECTION_LABELS.get(section, '')}）" if section else ""
        parts.append(
            f"{code}{where}：{verdicts.indicator_word(before) or '—'} → {verdicts.indicator_word(after) or '—'}"
        )
    return "；".join(parts)


def verdict_word(passed: bool | None) -> str:
    return str(verdicts.verdict(passed=passed).label)
