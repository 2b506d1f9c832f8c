from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

STATUS_LABELS = {
    "met": "✓",
    "not_met": "✗",
    "within_tolerance": "△",
    "no_data": "—",
    "not_evaluated": "",
}


def format_against(value, limit=None, places: int = 3) -> str:
    """Three decimals, four where three would read as the limit itself (a CV of 0.5004 must not show 0.500)."""
    if value is None:
        return "—"
    value = Decimal(value)
    q = Decimal(1).scaleb(-places)
    shown = value.quantize(q, rounding=ROUND_HALF_UP)
    if limit is not None and shown == Decimal(limit).quantize(q, rounding=ROUND_HALF_UP) and value != Decimal(limit):
        return str(value.quantize(q / 10, rounding=ROUND_HALF_UP))
    return str(shown)


@register.simple_tag
def fmt(value, limit=None, places=3):
    return format_against(value, limit, int(places))


@register.filter
def mark(status):
    return STATUS_LABELS.get(status, "")


@register.filter
def status_class(status):
    return (status or "").replace("_", "-")


@register.filter
def verdict_label(status):
    return {
        "passed": _("达标"),
        "passed_within_tolerance": _("达标（一项在85%以内）"),
        "failed": _("未达标"),
        "no_data": _("无数据"),
        "not_evaluated": _("不参评"),
    }.get(status, status)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


# Gaps in these units are whole numbers (they are rounded up where they are computed).
WHOLE_UNITS = frozenset({"teachers", "rooms", "classes", "students", "yuan"})


@register.filter
def gap_text(result):
    """A stored result's gap with its Chinese unit: "2 个班", "396.4 平方米"; "" without a gap."""
    from indicators.labels import UNIT_LABELS

    gap = getattr(result, "gap", None)
    if gap is None:
        return ""
    unit = (getattr(result, "detail", None) or {}).get("unit", "")
    places = 0 if unit in WHOLE_UNITS else 1
    return f"{format_against(gap, None, places)} {UNIT_LABELS.get(unit, '')}".strip()
