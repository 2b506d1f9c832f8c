"""How money and counts read, in pages, PDFs and spreadsheets: one helper for all of them.

Pages and PDFs show thousands separators and the unit ("7,236,693 元", "1,204 人"); a spreadsheet keeps the
number and gives the cell a number format with the same separators, so Excel still sums it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

EMPTY = "—"
# Spreadsheet number formats: whole numbers and amounts with separators (a CV or a rate keeps its own format).
INT_FORMAT = "#,##0"
AMOUNT_FORMAT = "#,##0.00"


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def amount(value: Any, places: int = 0, unit: str = "") -> str:
    """Thousands separators, `places` decimals (rounded half up), then the unit: amount(7236693.4, unit="元")
    → "7,236,693 元"; None → "—"."""
    d = _decimal(value)
    if d is None:
        return EMPTY
    places = max(0, int(places))
    shown = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{shown:,.{places}f}"
    return f"{text} {unit}" if unit else text


def money(value: Any, places: int = 0) -> str:
    """An amount of money in yuan: "542,500 元"."""
    return amount(value, places, "元")


def cell_number_format(value: Any) -> str | None:
    """The number format of a spreadsheet cell holding `value`: separators for counts and large amounts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return INT_FORMAT
    if isinstance(value, Decimal | float) and abs(value) >= 1000:
        return AMOUNT_FORMAT
    return None
