"""Who may use the what-if pages and the results export.

What-if and scenarios are the bureau's working tools (bureau admin and staff only: leadership, department officers
and township officials are refused). The export is a county document like the results page: bureau, leadership and
department officers; township officials are refused (they see their schools' results on the school page).
Comparing scenarios and exporting are reads: GET only.
"""

from indicators.models import Scenario
from tests.access.table_core import BUREAU, COUNTY_READERS, NOBODY

RESULT_READERS = BUREAU | COUNTY_READERS


def _scenario(objs):
    scenario = Scenario.objects.create(
        round=objs["round"],
        name="新增运动场方案",
        changes=[{"school": objs["school"].code, "field": "sports_area_m2", "delta": "500"}],
    )
    return {"pk": scenario.pk}


def _ids(objs):
    first = _scenario(objs)["pk"]
    second = _scenario(objs)["pk"]
    return {"ids": f"{first},{second}"}


ROUTES = {
    "indicators:whatif": {"kwargs": lambda objs: {"pk": objs["round"].pk}, "GET": BUREAU, "POST": BUREAU},
    "indicators:scenario": {"kwargs": _scenario, "GET": BUREAU, "POST": BUREAU},
    "indicators:scenario_compare": {
        "kwargs": lambda objs: {"pk": objs["round"].pk},
        "query": _ids,
        "GET": BUREAU,
        "POST": NOBODY,
    },
    "indicators:round_export": {
        "kwargs": lambda objs: {"pk": objs["round"].pk},
        "GET": RESULT_READERS,
        "POST": NOBODY,
    },
}
