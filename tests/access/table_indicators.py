"""Who may use the indicator pages: results are county documents (bureau, leadership, department officers);
township officials see their own schools' results on the school page; writes are the bureau's."""

from tests.access.table_core import ADMIN, BUREAU, COUNTY_READERS, NOBODY

RESULT_READERS = BUREAU | COUNTY_READERS


def _entry_data(objs):
    return {"met": "true", "note": "规划已批复"}


def _year_data(objs):
    return {"standard": objs["standard"].pk, "teaching_point_policy": "merge"}


def _derive_data(objs):
    # Incomplete on purpose: the form re-renders (200) for those allowed and changes nothing.
    return {"name": "江西标准"}


ROUTES = {
    "indicators:results": {"GET": RESULT_READERS, "POST": RESULT_READERS},
    "indicators:round_results": {
        "kwargs": lambda objs: {"pk": objs["round"].pk},
        "GET": RESULT_READERS,
        "POST": RESULT_READERS,
    },
    "indicators:round_gaps": {
        "kwargs": lambda objs: {"pk": objs["round"].pk},
        "GET": RESULT_READERS,
        "POST": RESULT_READERS,
    },
    "indicators:round_recompute": {"kwargs": lambda objs: {"pk": objs["round"].pk}, "GET": NOBODY, "POST": BUREAU},
    "indicators:county_entries": {
        "kwargs": lambda objs: {"year": objs["school_year"].year},
        "GET": RESULT_READERS,
        "POST": RESULT_READERS,
    },
    "indicators:county_entry_edit": {
        "kwargs": lambda objs: {"year": objs["school_year"].year, "code": "G1"},
        "data": _entry_data,
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "indicators:year_settings": {
        "kwargs": lambda objs: {"year": objs["school_year"].year},
        "data": _year_data,
        "GET": ADMIN,
        "POST": ADMIN,
    },
    "indicators:evidence_download": {
        "kwargs": lambda objs: {"pk": objs["evidence"].pk},
        "GET": RESULT_READERS,
        "POST": RESULT_READERS,
    },
    "indicators:standards": {"GET": RESULT_READERS, "POST": RESULT_READERS},
    "indicators:standard": {
        "kwargs": lambda objs: {"pk": objs["standard"].pk},
        "GET": RESULT_READERS,
        "POST": RESULT_READERS,
    },
    "indicators:standard_derive": {
        "kwargs": lambda objs: {"pk": objs["standard"].pk},
        "data": _derive_data,
        "GET": ADMIN,
        "POST": ADMIN,
    },
    "indicators:cost_settings": {"GET": ADMIN, "POST": ADMIN},
}
