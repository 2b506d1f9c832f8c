"""Who may use each route of schools/statistics/urls.py and indicators/reconcile/urls.py (format: see table_core.py).

The statistics return is the county's: the bureau uploads, maps, closes a year, pre-fills and resolves; the bureau and
the leadership read the reconciliation; officials, department officers, the auditor and the API client get 403.
"""

from schools.statistics.models import StatisticsSchool, StatisticsUpload, StatisticsYear
from tests.access.table_core import BUREAU, NOBODY

OVERSEERS = BUREAU | {"leadership"}


def _stat_year(objs):
    stat_year, _created = StatisticsYear.objects.get_or_create(school_year=objs["school_year"])
    ret = objs["approved_return"]
    StatisticsSchool.objects.get_or_create(
        stat_year=stat_year,
        school=ret.school,
        defaults={"figures": {"primary_students": str((ret.primary_students or 0) + 5)}, "steps": {}},
    )
    return stat_year


def _pending(objs):
    sheet = {"key": "表1", "ident": "abc", "columns": [], "code_index": 0, "level_index": None, "rows": []}
    return StatisticsUpload.objects.create(
        school_year=objs["school_year"], source="基表.xlsx", signature="x", sheets=[sheet]
    )


ROUTES = {
    "statistics:index": {"GET": BUREAU, "POST": NOBODY},
    "statistics:upload": {"GET": NOBODY, "POST": BUREAU},
    "statistics:mapping": {"kwargs": lambda objs: {"pk": _pending(objs).pk}, "GET": BUREAU, "POST": BUREAU},
    "statistics:close": {"kwargs": lambda objs: {"pk": _stat_year(objs).pk}, "GET": NOBODY, "POST": BUREAU},
    "statistics:prefill": {"kwargs": lambda objs: {"round_pk": objs["round"].pk}, "GET": NOBODY, "POST": BUREAU},
    "statistics:demo_export": {"kwargs": lambda objs: {"year": 2024}, "GET": BUREAU, "POST": NOBODY},
    "indicators:reconcile": {
        "kwargs": lambda objs: {"year": _stat_year(objs).school_year.year},
        "GET": OVERSEERS,
        "POST": NOBODY,
    },
    "indicators:reconcile_export": {
        "kwargs": lambda objs: {"year": _stat_year(objs).school_year.year},
        "GET": OVERSEERS,
        "POST": NOBODY,
    },
    "indicators:reconcile_resolve": {
        "kwargs": lambda objs: {"year": _stat_year(objs).school_year.year},
        "data": lambda objs: {
            "school": objs["approved_return"].school_id,
            "figure": "primary_students",
            "kind": "explained",
            "text": "转学学生",
        },
        "GET": NOBODY,
        "POST": BUREAU,
    },
    # The API read resource for the municipal system (tests/statistics_return/test_reconcile_api.py).
    "api:statistics-difference-list": {
        "query": lambda objs: {"school_year": _stat_year(objs).school_year.year},
        "GET": OVERSEERS | {"api_client"},
        "POST": NOBODY,
    },
}
