"""Who may use each route of schools/quality/urls.py (format: see table_core.py): the bureau only.

The rule edited or switched is a seeded rule (migration quality 0002); the POST bodies are valid, so an allowed
persona changes it (the switch turns it off) and a refused one changes nothing.
"""

from tests.access.table_core import BUREAU


def _rule(objs):
    from schools.quality.models import Rule

    return Rule.objects.get(code="training-le-public-funds")


def _rule_data(objs):
    return {
        "code": "access-probe",
        "label": "访问测试规则",
        "left": "training_funds_yuan",
        "operator": "<=",
        "right": "public_funds_yuan",
        "importance": "warning",
        "section": "",
        "field": "",
        "note": "",
        "active": "on",
    }


ROUTES = {
    "schools:quality_rules": {"GET": BUREAU, "POST": BUREAU},
    "schools:quality_rule_create": {"GET": BUREAU, "POST": BUREAU, "data": _rule_data},
    "schools:quality_rule_edit": {
        "kwargs": lambda objs: {"pk": _rule(objs).pk},
        "GET": BUREAU,
        "POST": BUREAU,
        "data": lambda objs: {**_rule_data(objs), "code": "training-le-public-funds"},
    },
    "schools:quality_rule_switch": {
        "kwargs": lambda objs: {"pk": _rule(objs).pk},
        "GET": frozenset(),
        "POST": BUREAU,
        "data": lambda objs: {"active": "0"},
    },
}
