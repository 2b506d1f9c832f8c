"""How the reports write numbers and marks: three decimals (more where three would read as the limit), amounts and
counts with thousands separators, "—" for nothing. The templates do no arithmetic and no formatting."""

from __future__ import annotations

from decimal import Decimal

from gongqing import numbers
from indicators.domain.display import format_value

MARKS = {"met": "√", "not_met": "×", "within_tolerance": "△", "no_data": "—", "not_evaluated": ""}
CHINESE_NUMBERS = "一二三四五六七八九十"


def fmt(value, limit=None, places: int = 3) -> str:
    if value is None:
        return "—"
    return format_value(Decimal(str(value)), Decimal(str(limit)) if limit is not None else None, places)


def fmt_amount(value) -> str:
    return numbers.amount(value)


def fmt_int(value) -> str:
    return numbers.amount(value)


def fmt_percent_value(value) -> str:
    return "—" if value is None else f"{fmt(value, places=1)}%"


def fmt_short(value) -> str:
    """A county item's part: two decimals with trailing zeros dropped (95.00 → 95, 0.50 → 0.5)."""
    text = fmt(value, places=2)
    return text.rstrip("0").rstrip(".") if "." in text else text


def chapter_number(index: int) -> str:
    """一、二、… for the report's numbered chapters (index 1 is 一)."""
    return CHINESE_NUMBERS[index - 1] if 1 <= index <= len(CHINESE_NUMBERS) else str(index)
