"""Every named route × every persona × GET/POST against the explicit table in tests/access/table_*.py.

A route missing from the table fails, as does a table entry for a route that no longer exists. Allowed: any answer but
401/403/404/405 and the login page. Refused: 403/404, 405 for a method the view does not take, or the login page for
anonymous. 江益镇's official must be refused every route that is given one of 甘露镇's objects, and must never see
甘露镇's name in a page the table lets them open.
"""

import importlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gongqing.models import Notice
from tests.access.conftest import GANLU_KEYS

PERSONAS = (
    "bureau_admin",
    "bureau_staff",
    "ganlu_official",
    "jiangyi_official",
    "leadership",
    "department_officer",
    "auditor",
    "api_client",
    "anonymous",
)
METHODS = ("GET", "POST")
# Routes anonymous may use. Logging out is not listed: anonymous is sent to the login page, which counts as refused.
ANONYMOUS_OPEN = frozenset({"login", "healthz", "survey:public", "survey:public_form", "survey:public_done"})
REFUSED = (403, 404, 405)


def _load_table() -> tuple[dict, list[str]]:
    routes: dict = {}
    clashes = []
    for path in sorted(Path(__file__).parent.glob("table_*.py")):
        module = importlib.import_module(f"tests.access.{path.stem}")
        for name, entry in module.ROUTES.items():
            if name in routes:
                clashes.append(f"{name} ({path.name})")
            routes[name] = entry
    return routes, clashes


TABLE, CLASHES = _load_table()


def _walk(patterns, namespace=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = (*namespace, p.namespace) if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield ":".join((*namespace, p.name)) if p.name else None, p


def url_names() -> set[str]:
    return {name for name, _pattern in _walk(get_resolver().url_patterns) if name}


def test_every_named_route_is_in_the_table():
    missing = sorted(url_names() - set(TABLE))
    assert not missing, f"routes missing from tests/access/table_*.py: {missing}"


def test_every_table_entry_is_a_route_that_exists():
    stale = sorted(set(TABLE) - url_names())
    assert not stale, f"table entries for routes that no longer exist: {stale}"


def test_no_route_is_in_two_tables():
    assert not CLASHES, f"routes defined in more than one table: {CLASHES}"


def test_every_route_has_a_name():
    unnamed = [str(p.pattern) for name, p in _walk(get_resolver().url_patterns) if name is None]
    assert not unnamed, f"unnamed routes cannot be put in the table: {unnamed}"


def test_only_login_health_and_the_public_survey_are_open_to_anonymous():
    open_routes = sorted(name for name, entry in TABLE.items() if any("anonymous" in entry[m] for m in METHODS))
    assert set(open_routes) <= ANONYMOUS_OPEN, open_routes


def test_every_entry_states_both_methods_for_known_personas():
    for name, entry in TABLE.items():
        for method in METHODS:
            assert method in entry, f"{name} lacks {method}"
            unknown = set(entry[method]) - set(PERSONAS)
            assert not unknown, f"{name} {method}: unknown personas {unknown}"


def _is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302):
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


def _refused(response, persona) -> bool:
    if response.status_code in REFUSED:
        return True
    # The API answers a caller without credentials 401 (with WWW-Authenticate), pages send them to the login page.
    return persona == "anonymous" and (response.status_code == 401 or _is_login_redirect(response))


def _text(response) -> str:
    """The body of a text answer (HTML, JSON, CSV); binary files (XLSX, PDF) cannot be searched this way."""
    kind = response.get("Content-Type", "")
    if not kind.startswith(("text/", "application/json")):
        return ""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode(response.charset or "utf-8", errors="replace")


def _allowed(response, persona) -> bool:
    if response.status_code in (401, *REFUSED):
        return False
    # A logged-in user sent to the login page with ?next= was turned away; logging out also lands there, without it.
    return not (_is_login_redirect(response) and (persona == "anonymous" or "next=" in response["Location"]))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(TABLE))
def test_route_serves_exactly_the_personas_in_the_table(route, persona, client, personas, objs):
    entry = TABLE[route]
    user = None if persona == "anonymous" else personas[persona]
    objs["user"] = user
    objs["notice"] = Notice.objects.create(user=user or personas["ganlu_official"], text="请查看通知")
    for method in METHODS:
        objs.read.clear()
        kwargs = entry["kwargs"](objs) if "kwargs" in entry else {}
        # POST sends the entry's `data`, GET its `query` (both optional callables of objs).
        body = "data" if method == "POST" else "query"
        data = entry[body](objs) if body in entry else {}
        ganlu_object = bool(objs.read & GANLU_KEYS)
        url = reverse(route, kwargs=kwargs)
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url, data) if method == "GET" else client.post(url, data)
        where = f"{persona} {method} {url} → {response.status_code} {response.get('Location', '')}"
        if persona == "jiangyi_official" and ganlu_object:
            assert _refused(response, persona), f"江益镇's official reached 甘露镇's object: {where}"
        if persona in entry[method]:
            assert _allowed(response, persona), f"allowed but refused: {where}"
            if persona == "jiangyi_official" and response.status_code == 200:
                assert "甘露镇" not in _text(response), f"甘露镇 shown to 江益镇's official: {where}"
        else:
            assert _refused(response, persona), f"refused in the table but served: {where}"
