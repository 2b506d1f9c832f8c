"""How a value reads on a page: three decimals, more where three would make it look equal to its limit.

A CV of 0.5004 against a limit of 0.50 must read 0.5004 (not "0.500 ✗"); a value exactly at its limit reads
with three decimals. Display only: verdicts come from the engine's flags, never from the shown text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .decimals import working_context

STATUS_ZH = {
    "met": "达标",
    "not_met": "未达标",
    "no_data": "无数据",
    "within_tolerance": "未达标（85%以内）",
    "passed": "通过",
    "passed_within_tolerance": "通过",
    "failed": "未通过",
    "not_evaluated": "不参评",
}


def _fixed(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_value(value: Decimal | None, limit: Decimal | None = None, places: int = 3, max_places: int = 8) -> str:
    """`places` decimals; when that rounding equals the limit but the value does not, add decimals until they
    differ (at least one more: 0.5004 → "0.5004"), up to `max_places`. None reads "—"."""
    if value is None:
        return "—"
    with working_context():
        shown = _fixed(value, places)
        if limit is not None and value != limit:
            while places < max_places and shown == _fixed(limit, places):
                places += 1
                shown = _fixed(value, places)
        return f"{shown:f}"


def status_zh(status: str) -> str:
    """The Chinese result word for a status (达标 / 未达标 / 无数据 ...)."""
    return STATUS_ZH.get(status, status)
