from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from indicators import verdicts

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
    """A school section's verdict (通过 / 未通过 / 暂定), the words of indicators.verdicts."""
    return verdicts.section_verdict(status).label


@register.simple_tag
def verdict_of(passed, provisional=False):
    """The one verdict of a three-valued `passed` (a what-if scenario's county, a stored area...)."""
    return verdicts.verdict(passed=passed, provisional=bool(provisional))


@register.filter
def county_verdict(summary):
    """The county verdict of a stored summary: `.label`, `.css`, `.missing_text`, `.provisional`."""
    return verdicts.county_verdict(summary)


@register.filter
def basis_text(summary):
    """本批次审核通过 n 所，沿用此前审核数据 m 所（…）…: what the schools of a stored summary rest on ("" if old)."""
    return verdicts.basis_text(summary)


@register.filter
def school_basis(summary, school_code):
    """One school's data basis (`.code`, `.label`) in a stored summary; None for a summary stored before it."""
    return verdicts.school_basis(summary, school_code)


@register.filter
def area_verdict(area, provisional=False):
    return verdicts.area_verdict(area, bool(provisional))


@register.filter
def indicator_word(status):
    return verdicts.indicator_word(status)


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


@register.filter
def standard_text(result):
    """The 标准 of a stored result: its threshold, or for G3 the rooms required and their minimum areas and for G5
    the class cap of each offending class's section (these rules have no single threshold)."""
    code = getattr(result, "code", "")
    detail = getattr(result, "detail", None) or {}
    if code == "G3":
        parts = []
        for room, label in (("music", _("音乐")), ("art", _("美术"))):
            info = detail.get(room) or {}
            if info.get("min_area_m2") is not None:
                area = format_against(Decimal(str(info["min_area_m2"])), None, 0)
                parts.append(_("%(room)s ≥ %(area)s平方米/间") % {"room": label, "area": area})
        required = detail.get("required")
        head = _("各 ≥ %(n)s间") % {"n": required} if required is not None else ""
        return "；".join(p for p in (head, *parts) if p)
    if code == "G5":
        caps = {}
        for o in detail.get("offending", []):
            caps.setdefault(o.get("section"), o.get("cap"))
        return "；".join(
            _("%(section)s每班 ≤ %(cap)s人")
            % {"section": {"primary": _("小学"), "junior": _("初中")}.get(s, s), "cap": c}
            for s, c in caps.items()
        )
    threshold = getattr(result, "threshold", None)
    if threshold is None:
        return ""
    return floatformat(threshold, -2)
