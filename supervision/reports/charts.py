"""Vector charts for the PDF, drawn on the server as SVG strings (no browser, no script, no external reference).

Every label is escaped; every number is formatted here. The same figures are printed in the table beside each chart,
so the chart adds a picture, never a number of its own.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from indicators.domain.display import format_value

WIDTH = 640
BAR = 22
GAP = 8
LEFT = 70
RIGHT = 70
COLORS = {"met": "#1d7a3a", "not_met": "#b3261e", "none": "#9aa5b1", "limit": "#c98a00", "axis": "#555"}
FONT = "Noto Sans CJK SC, sans-serif"


def _svg(height: int, body: list[str], title: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12">'
    )
    caption = f'<text x="{WIDTH // 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>'
    return mark_safe(head + caption + "".join(body) + "</svg>")


def cv_chart(pairs: list[tuple[str, Decimal | None]], limit: Decimal | None, *, title: str) -> SafeString:
    """Horizontal bars of the seven CVs of one section with the limit as a dashed line."""
    known = [v for _c, v in pairs if v is not None]
    top = max([*known, limit or Decimal("0.5"), Decimal("0.1")]) * Decimal("1.15")
    plot = WIDTH - LEFT - RIGHT
    height = 30 + len(pairs) * (BAR + GAP) + 24

    def x(value: Decimal) -> float:
        return LEFT + float(value / top) * plot

    body = []
    for i, (code, value) in enumerate(pairs):
        y = 28 + i * (BAR + GAP)
        body.append(f'<text x="{LEFT - 8}" y="{y + BAR - 6}" text-anchor="end">{escape(code)}</text>')
        if value is None:
            body.append(f'<text x="{LEFT + 4}" y="{y + BAR - 6}" fill="{COLORS["none"]}">无数据</text>')
            continue
        over = limit is not None and value > limit
        color = COLORS["not_met"] if over else COLORS["met"]
        width = max(x(value) - LEFT, 1)
        body.append(f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{color}"/>')
        text = format_value(value, limit)
        body.append(f'<text x="{LEFT + width + 4:.1f}" y="{y + BAR - 6}">{escape(text)}</text>')
    bottom = 28 + len(pairs) * (BAR + GAP)
    body.append(f'<line x1="{LEFT}" y1="24" x2="{LEFT}" y2="{bottom}" stroke="{COLORS["axis"]}"/>')
    if limit is not None:
        lx = x(limit)
        body.append(
            f'<line x1="{lx:.1f}" y1="24" x2="{lx:.1f}" y2="{bottom}" stroke="{COLORS["limit"]}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
        label = escape(f"限值 {format_value(limit, places=2)}")
        body.append(
            f'<text x="{lx:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{COLORS["limit"]}">{label}</text>'
        )
    return _svg(height, body, title)


def progress_chart(pairs: list[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars of percent done (0–100) per measure."""
    plot = WIDTH - LEFT - RIGHT
    height = 30 + len(pairs) * (BAR + GAP) + 10
    body = []
    for i, (label, percent) in enumerate(pairs):
        y = 28 + i * (BAR + GAP)
        p = max(0, min(100, int(percent or 0)))
        body.append(f'<text x="{LEFT - 8}" y="{y + BAR - 6}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{LEFT}" y="{y}" width="{plot}" height="{BAR}" fill="#e6e9ee"/>')
        color = COLORS["met"] if p == 100 else "#0b5c8a"
        body.append(f'<rect x="{LEFT}" y="{y}" width="{plot * p / 100:.1f}" height="{BAR}" fill="{color}"/>')
        body.append(f'<text x="{LEFT + plot + 6}" y="{y + BAR - 6}">{p}%</text>')
    return _svg(height, body, title)


def ledger_chart(counts: dict, *, title: str) -> SafeString:
    """One stacked bar: ledger items closed, awaiting data, open."""
    parts = [
        ("已销号", counts.get("closed", 0), COLORS["met"]),
        ("已完成待数据体现", counts.get("awaiting_data", 0), COLORS["limit"]),
        ("整改中", counts.get("open", 0), COLORS["not_met"]),
    ]
    total = sum(n for _l, n, _c in parts) or 1
    plot = WIDTH - 40
    body, x = [], 20.0
    for _label, n, color in parts:
        w = plot * n / total
        if n:
            body.append(f'<rect x="{x:.1f}" y="28" width="{w:.1f}" height="{BAR + 6}" fill="{color}"/>')
        x += w
    legend_x = 20
    for label, n, color in parts:
        body.append(f'<rect x="{legend_x}" y="72" width="12" height="12" fill="{color}"/>')
        body.append(f'<text x="{legend_x + 16}" y="83">{escape(label)} {n}</text>')
        legend_x += 200
    return _svg(96, body, title)
