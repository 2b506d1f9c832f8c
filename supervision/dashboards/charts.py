"""What a chart is on the server: its numbers as a table (shown under the chart and downloaded as .xlsx) and the
plain data static/js/dashboards.js draws with ECharts. One object feeds all three, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from indicators.templatetags.indicator_tags import format_against


@dataclass(frozen=True)
class Num:
    """A number as the pages show it (three decimals, four where three would read as the limit; or a percentage) and
    as a spreadsheet stores it (the number itself)."""

    value: Decimal | int | None
    limit: Decimal | None = None
    places: int = 3
    percent: bool = False

    def __str__(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, int) and not self.percent:
            return str(self.value)
        if self.percent:
            shown = (Decimal(self.value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"{shown}%"
        return format_against(self.value, self.limit, self.places)

    def plain(self) -> float | int | None:
        if self.value is None:
            return None
        if isinstance(self.value, int):
            return self.value
        if self.percent:
            return float((Decimal(self.value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        return float(self.value)


def plain(value: Any) -> Any:
    """A cell as a spreadsheet or JSON wants it."""
    if isinstance(value, Num):
        return value.plain()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    return str(value)


PREVIEW_ROWS = 200


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    total: int | None = None  # the full table's length, when this one holds only its preview

    @property
    def preview(self) -> list[list[Any]]:
        """The rows a page shows; the .xlsx download has them all."""
        return self.rows[:PREVIEW_ROWS]

    @property
    def size(self) -> int:
        return len(self.rows) if self.total is None else self.total

    @property
    def truncated(self) -> bool:
        return self.size > PREVIEW_ROWS

    def preview_html(self) -> SafeString:
        """The preview's rows as `<tr>`s, each cell shown as `{{ cell }}` shows it (Django's own function for it, in
        a context with the template's defaults: autoescape on, localisation and time zone as set), "—" for None.
        What dashboards/_table.html wrote with two nested template loops, which cost 45 ms for the warnings' three
        lists of 200 rows."""
        context = Context()
        out = []
        for row in self.preview:
            out.append("<tr>")
            for cell in row:
                out.append("<td>—</td>" if cell is None else f"<td>{render_value_in_context(cell, context)}</td>")
            out.append("</tr>")
        return mark_safe("".join(out))  # noqa: S308  (every cell escaped above, as autoescape does)

    def for_page(self) -> Table:
        """The preview only (what a page shows, and what the dashboards' cache keeps), knowing the full length."""
        return Table(self.columns, self.preview, total=self.size)

    def plain_rows(self) -> list[list[Any]]:
        return [[plain(v) for v in row] for row in self.rows]


@dataclass
class Series:
    name: str
    data: list[Any]
    states: list[str] | None = None  # per point: met / close / not-met / no-data (colours)
    stack: str = ""
    dashed: bool = False
    kind: str = ""  # "line" inside a bar chart, etc.


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # bar | hbar | line
    categories: list[str]
    series: list[Series]
    table: Table
    unit: str = ""
    limits: list[tuple[str, Any]] = field(default_factory=list)  # horizontal lines: (label, value)
    percent: bool = False
    note: str = ""

    @property
    def element_id(self) -> str:
        return f"chart-data-{self.key}"

    def data(self) -> dict:
        return {
            "title": self.title,
            "kind": self.kind,
            "unit": self.unit,
            "percent": self.percent,
            "categories": [str(c) for c in self.categories],
            "series": [
                {
                    "name": str(s.name),
                    "data": [plain(v) for v in s.data],
                    "states": s.states,
                    "stack": s.stack,
                    "dashed": s.dashed,
                    "kind": s.kind,
                }
                for s in self.series
            ],
            "limits": [{"name": str(n), "value": plain(v)} for n, v in self.limits],
        }
