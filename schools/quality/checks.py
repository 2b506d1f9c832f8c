"""The built-in checks behind the findings contract."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from schools.validation import WARN_CHANGES, label

from .base import CHANGE, WARNING, Context, Finding, ReturnData


def change_checks(returns: list[ReturnData], context: Context) -> dict:
    """A figure that moved past its allowed change since the school's last approved return (WARN_CHANGES)."""
    out: dict = {}
    for data in returns:
        if not data.previous:
            continue
        found = []
        for fields, max_drop, max_rise in WARN_CHANGES:
            for name in fields:
                new, old = data.figures.get(name), data.previous.get(name)
                if new is None or old in (None, 0):
                    continue
                change = (Decimal(new) - Decimal(old)) / Decimal(old)
                if -change > max_drop or (max_rise is not None and change > max_rise):
                    found.append(
                        Finding(
                            rule_code=f"change.{name}",
                            rule_label=_("与上次审核数相比变化过大"),
                            importance=WARNING,
                            field=name,
                            message=_("%(field)s由上次审核的%(old)s变为%(new)s（变化%(pct)s%%），请核实。")
                            % {"field": label(name), "old": old, "new": new, "pct": f"{change * 100:+.0f}"},
                            left=Decimal(new),
                            right=Decimal(old),
                            kind=CHANGE,
                        )
                    )
        if found:
            out[data.return_id] = found
    return out


def builtin_checks():
    return (change_checks,)
