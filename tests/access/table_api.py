"""Who may use each route of the API (gongqing/api_urls.py) with a browser session.

The route test sends form-encoded POSTs: a persona allowed to write gets past authentication, permission and object
lookup and is then refused the body (415, JSON only), which counts as allowed. Writes with JSON bodies, PATCH and
token scopes are covered in tests/api/. Anonymous callers get 401 from the API and the login page from the token pages.
"""

from gongqing.api.auth import token_create
from gongqing.models import ApiToken
from gongqing.roles import Role
from indicators.models import EvaluationState
from supervision.models import Body, Project, Stage
from tests.access import table_reports as reports
from tests.access import table_supervision as supervision
from tests.access.table_core import ACCOUNTS, ADMIN, BUREAU, COUNTY_READERS, NOBODY, SCHOOL_READERS
from tests.factories import UserFactory

API_CLIENT = frozenset({"api_client"})
# Registry and returns: what each sees in the browser's school pages, plus the API client (whole county).
API_READERS = SCHOOL_READERS | API_CLIENT
GANLU_API_READERS = API_READERS - {"jiangyi_official"}
# Results: the result pages' readers plus the API client. Township officials do not read county results.
RESULT_READERS = BUREAU | COUNTY_READERS | API_CLIENT
# Writing returns with a session: bureau and township officials; the API client writes only with a scoped token.
RETURN_WRITERS = BUREAU | {"ganlu_official", "jiangyi_official"}
GANLU_WRITERS = RETURN_WRITERS - {"jiangyi_official"}


def _pk(key):
    return lambda objs: {"pk": objs[key].pk}


def _token(objs):
    """A token of a city client (not a persona), made once per case: the objs fixture knows no tokens."""
    token = ApiToken.objects.filter(name="九江市平台").first()
    if token is None:
        owner = UserFactory(username="city_client", role=Role.API_CLIENT)
        token, _raw = token_create(user=owner, name="九江市平台", scopes=["read"])
    return {"pk": token.pk}


def _evaluated_round(objs):
    state, _created = EvaluationState.objects.get_or_create(round=objs["round"])
    return {"round": state.round_id}


# Supervision: the pages' readers plus the API client (whole county, like leadership); never the auditor.
SUPERVISION_READERS = supervision.READERS | API_CLIENT
ITEM_READERS = supervision.ITEM_READERS | API_CLIENT  # 甘露镇's item led by 市财政局
MEASURE_READERS = supervision.MEASURE_READERS | API_CLIENT  # 市财政局's measure
# Reports: the report pages' readers plus the API client (read only); renders are asked for by the bureau alone.
REPORT_READERS = reports.READERS | API_CLIENT
PROJECT_READERS = BUREAU | {"leadership", "ganlu_official"} | API_CLIENT  # a project of 甘露镇's school


def _stage(objs):
    cycle = supervision._cycle(objs)
    return Stage.objects.get_or_create(cycle=cycle, number=1, defaults={"name": "宣传发动", "ends": "2030-06-30"})[0]


def _api_project(objs):
    return Project.objects.get_or_create(name="甘露镇中心小学运动场", school=objs["school"], kind="sports_ground")[0]


ROUTES = {
    "api:schema": {"GET": ACCOUNTS, "POST": NOBODY},
    "api:docs": {"GET": ACCOUNTS, "POST": NOBODY},
    "api:tokens": {
        "GET": ADMIN,
        "POST": ADMIN,
        # Incomplete on purpose: the form re-renders for the admin and no token is made.
        "data": lambda objs: {"name": ""},
    },
    "api:token_revoke": {"kwargs": _token, "GET": NOBODY, "POST": ADMIN},
    "api:township-list": {"GET": API_READERS, "POST": NOBODY},
    "api:township-detail": {"kwargs": _pk("township"), "GET": GANLU_API_READERS, "POST": NOBODY},
    "api:school-list": {"GET": API_READERS, "POST": NOBODY},
    "api:school-detail": {"kwargs": _pk("school"), "GET": GANLU_API_READERS, "POST": NOBODY},
    "api:school-year-list": {"GET": API_READERS, "POST": NOBODY},
    "api:school-year-detail": {"kwargs": _pk("school_year"), "GET": API_READERS, "POST": NOBODY},
    "api:round-list": {"GET": API_READERS, "POST": NOBODY},
    "api:round-detail": {"kwargs": _pk("round"), "GET": API_READERS, "POST": NOBODY},
    "api:return-list": {"GET": API_READERS, "POST": RETURN_WRITERS},
    "api:return-detail": {"kwargs": _pk("draft_return"), "GET": GANLU_API_READERS, "POST": NOBODY},
    "api:return-submit": {"kwargs": _pk("draft_return"), "GET": NOBODY, "POST": GANLU_WRITERS},
    "api:standard-list": {"GET": RESULT_READERS, "POST": NOBODY},
    "api:standard-detail": {"kwargs": _pk("standard"), "GET": RESULT_READERS, "POST": NOBODY},
    "api:county-entry-list": {"GET": RESULT_READERS, "POST": NOBODY},
    "api:county-entry-detail": {
        "kwargs": lambda objs: {"pk": objs["evidence"].entry_id},
        "GET": RESULT_READERS,
        "POST": NOBODY,
    },
    "api:school-result-list": {"GET": RESULT_READERS, "POST": NOBODY},
    "api:section-verdict-list": {"GET": RESULT_READERS, "POST": NOBODY},
    "api:section-result-list": {"GET": RESULT_READERS, "POST": NOBODY},
    "api:county-verdict-list": {"GET": RESULT_READERS, "POST": NOBODY},
    "api:county-verdict-detail": {
        "kwargs": _evaluated_round,
        "GET": RESULT_READERS,
        "POST": NOBODY,
    },
    "api:body-list": {"GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:body-detail": {
        "kwargs": lambda objs: {"pk": Body.objects.get(code="finance").pk},
        "GET": SUPERVISION_READERS,
        "POST": NOBODY,
    },
    "api:cycle-list": {"GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:cycle-detail": {
        "kwargs": lambda objs: {"pk": supervision._cycle(objs).pk},
        "GET": SUPERVISION_READERS,
        "POST": NOBODY,
    },
    "api:stage-list": {"GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:stage-detail": {"kwargs": lambda objs: {"pk": _stage(objs).pk}, "GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:measure-list": {"GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:measure-detail": {
        "kwargs": lambda objs: {"pk": supervision._measure(objs).pk},
        "GET": MEASURE_READERS,
        "POST": NOBODY,
    },
    "api:measure-updates": {
        "kwargs": lambda objs: {"pk": supervision._measure(objs).pk},
        "GET": MEASURE_READERS,
        "POST": NOBODY,
    },
    "api:rectification-item-list": {"GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:rectification-item-detail": {
        "kwargs": lambda objs: {"pk": supervision._item(objs).pk},
        "GET": ITEM_READERS,
        "POST": NOBODY,
    },
    "api:rectification-item-updates": {
        "kwargs": lambda objs: {"pk": supervision._evidence(objs).update.item_id},
        "GET": ITEM_READERS,
        "POST": NOBODY,
    },
    "api:project-list": {"GET": SUPERVISION_READERS, "POST": NOBODY},
    "api:project-detail": {
        "kwargs": lambda objs: {"pk": _api_project(objs).pk},
        "GET": PROJECT_READERS,
        "POST": NOBODY,
    },
    "api:report-list": {"GET": REPORT_READERS, "POST": BUREAU},
    "api:report-detail": {
        "kwargs": lambda objs: {"pk": reports._report(objs).pk},
        "GET": REPORT_READERS,
        "POST": NOBODY,
    },
    "api:report-download": {
        "kwargs": lambda objs: {"pk": reports._report(objs).pk},
        "GET": REPORT_READERS,
        "POST": NOBODY,
    },
    "api:report-annex": {
        "kwargs": lambda objs: {"pk": reports._report(objs).pk},
        "GET": REPORT_READERS,
        "POST": NOBODY,
    },
    # Any other path under /api/ (the bare /api/v1/ too): the JSON 404, for everyone.
    "api:not_found": {"kwargs": lambda objs: {"rest": "v1/nope/"}, "GET": NOBODY, "POST": NOBODY},
}
