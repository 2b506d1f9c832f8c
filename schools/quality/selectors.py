"""Reads of the data-quality rules, each in a fixed number of queries."""

from __future__ import annotations

from .models import Rule


def rule_list():
    return Rule.objects.order_by("-active", "code")


def rule_history(rule: Rule, limit: int = 50):
    return rule.history.select_related("history_user").order_by("-history_date")[:limit]
