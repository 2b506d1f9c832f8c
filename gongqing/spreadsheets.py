"""Safe cells for every spreadsheet and CSV the portal writes.

A spreadsheet program runs a cell that starts with `= + - @` (or a tab or carriage return followed by one) as a
formula: user text such as `=HYPERLINK(...)` must reach the file as text. Every user-derived string goes through
`safe_text`, which prefixes `'`; numbers, dates and None pass unchanged. Imports undo the prefix with `restore_text`
so a file exported and uploaded again round-trips.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell

from .numbers import cell_number_format

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Characters XLSX cannot hold (openpyxl refuses them); removed rather than failing the whole export.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
UTF8_BOM = "\ufeff"


def safe_text(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_cell(value: Any) -> Any:
    """The value to put in a cell: strings neutralised, everything else unchanged."""
    if isinstance(value, str):
        return safe_text(value)
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def restore_text(value: str) -> str:
    """Undo `safe_text` on an imported cell: `'=x` becomes `=x` again; other text is unchanged."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def append_row(ws, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet, every string neutralised; numbers stay numbers, with a number format
    showing thousands separators for counts and large amounts (`gongqing.numbers.cell_number_format`)."""
    row = safe_row(values)
    formats = [cell_number_format(v) for v in row]
    if not any(formats):
        ws.append(row)
        return
    cells: list[Any] = []
    for value, fmt in zip(row, formats, strict=True):
        if fmt is None:
            cells.append(value)
            continue
        cell = WriteOnlyCell(ws, value=value)  # a cell of `ws`: both kinds of worksheet append it as it is
        cell.number_format = fmt
        cells.append(cell)
    ws.append(cells)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV in UTF-8 with a BOM (so Excel on a Chinese Windows opens it cleanly), every string neutralised."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue().encode("utf-8")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
