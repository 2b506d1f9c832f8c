"""Who may read the dashboards: the bureau, the leadership group and department officers; the bodies' board (like
supervision's annual assessment) only the bureau and the leadership group. Township officials, auditors and the API
client none. Every dashboard is read-only: POST answers 405."""

from indicators import services
from indicators.models import EvaluationState
from tests.access.table_core import BUREAU, NOBODY

READERS = BUREAU | {"leadership", "department_officer"}
BOARD_READERS = BUREAU | {"leadership"}


def _with_results(objs):
    """Stored results for `round`, so that a download has something to give."""
    rnd = objs["round"]
    if not EvaluationState.objects.filter(round=rnd, computed_version__gt=0).exists():
        services.mark_stale_now(round=rnd)
        services.recompute_round(round_id=rnd.pk)
    return {"key": "sections", "round": rnd.pk}


ROUTES = {
    "dashboards:overview": {"GET": READERS, "POST": NOBODY},
    "dashboards:matrix": {"GET": READERS, "POST": NOBODY},
    "dashboards:trends": {"GET": READERS, "POST": NOBODY},
    "dashboards:warnings": {"GET": READERS, "POST": NOBODY},
    "dashboards:board": {"GET": BOARD_READERS, "POST": NOBODY},
    "dashboards:board_export": {"query": lambda objs: {"key": "board"}, "GET": BOARD_READERS, "POST": NOBODY},
    "dashboards:export": {
        "kwargs": lambda objs: {"page": "overview"},
        "query": _with_results,
        "GET": READERS,
        "POST": NOBODY,
    },
}

# The bureau's grade-1 intake estimates (the forecast's grade 1): the bureau reads and saves them; an empty POST
# saves nothing (every box blank and none stored) and redirects.
ROUTES["dashboards:intake"] = {"GET": BUREAU, "POST": BUREAU}
