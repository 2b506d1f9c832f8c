"""Writes of the data-quality rules: saved with their history (simple-history) and an audit row."""

from __future__ import annotations

from django.db import transaction

from gongqing import audit
from gongqing.saving import form_save

from .models import Rule


def rule_save(*, form, by, request=None) -> Rule:
    """Save a rule from a valid RuleForm (its expressions already compiled by the form)."""
    return form_save(form, action="quality.rule_save", by=by, request=request)


def rule_set_active(*, rule: Rule, active: bool, by, request=None) -> Rule:
    """Switch a rule on or off; its history keeps each switch."""
    if rule.active == active:
        return rule
    with transaction.atomic():
        rule.active = active
        rule._history_user = by
        rule.save(update_fields=["active", "updated_at"])
        audit.record(action="quality.rule_switch", user=by, request=request, obj=rule, code=rule.code, active=active)
    return rule
