"""Who may use each route of the API (gongqing/api_urls.py) with a browser session.

The route test sends form-encoded POSTs: a persona allowed to write gets past authentication, permission and object
lookup and is then refused the body (415, JSON only), which counts as allowed. Writes with JSON bodies, PATCH and
token scopes are covered in tests/api/. Anonymous callers get 401 from the API and the login page from the token pages.
"""

from gongqing.api.auth import token_create
from gongqing.models import ApiToken
from gongqing.roles import Role
from indicators.models import EvaluationState
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
}
