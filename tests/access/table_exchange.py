"""Who may use each route of schools/exchange/urls.py (format: see table_core.py).

Kwargs: the round (`round`, not 甘露镇's own object: the views scope rows by township themselves) and, for the
template, the township (`township` = 甘露镇, so 江益镇's official must get 404). GET of the upload page shows the form;
POST without a file re-renders it with the refusal (and audits the refused import).
"""

from tests.access.table_core import DATA_ENTRY, GANLU_ENTRY, NOBODY

ROUTES = {
    "schools:exchange": {"GET": DATA_ENTRY, "POST": NOBODY},
    "schools:exchange_upload": {
        "kwargs": lambda objs: {"round_pk": objs["round"].pk},
        "GET": DATA_ENTRY,
        "POST": DATA_ENTRY,
    },
    "schools:exchange_template": {
        "kwargs": lambda objs: {"round_pk": objs["round"].pk, "township_pk": objs["township"].pk},
        "GET": GANLU_ENTRY,
        "POST": NOBODY,
    },
    # Downloads (XLSX / ZIP): 江益镇's official gets 江益镇's rows only (tests/schools/test_exchange_export.py).
    "schools:exchange_export": {
        "kwargs": lambda objs: {"round_pk": objs["round"].pk},
        "GET": DATA_ENTRY,
        "POST": NOBODY,
    },
    "schools:exchange_export_csv": {
        "kwargs": lambda objs: {"round_pk": objs["round"].pk},
        "GET": DATA_ENTRY,
        "POST": NOBODY,
    },
}
