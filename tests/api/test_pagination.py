"""Keyset pagination of the big result lists: following `next` walks every row once, in the unique index's order,
with as many queries on the 3rd page as on the 2nd; `count` on the first page only; page numbers still work."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongqing.roles import Role
from indicators.models import SchoolResult, SectionVerdict
from tests.api.conftest import body
from tests.factories import SchoolFactory

RESULTS = "/api/v1/school-results/"


@pytest.fixture
def city(bearer, personas):
    return bearer(personas[Role.API_CLIENT], "read")


@pytest.fixture
def results(official_round, ganlu, jiangyi):
    """4 schools × (primary R1, R2 and the whole-school G3): 12 rows, whose keys sort as (school, section, code)."""
    for i in range(4):
        school = SchoolFactory(code=f"36{i:08d}", township=ganlu if i % 2 else jiangyi)
        for section, code in (("primary", "R1"), ("primary", "R2"), ("", "G3")):
            SchoolResult.objects.create(
                round=official_round, school=school, section=section, code=code, value=Decimal(i), status="met"
            )
        SectionVerdict.objects.create(round=official_round, school=school, section="primary", status="passed")
    return official_round


def _walk(client, url):
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(body(response))
        url = pages[-1]["next"]
    return pages


def test_following_next_gives_every_row_once_in_key_order(city, results):
    pages = _walk(city, f"{RESULTS}?round={results.pk}&page_size=5")
    assert [len(p["results"]) for p in pages] == [5, 5, 2]
    keys = [(r["school"], r["section"], r["code"]) for p in pages for r in p["results"]]
    assert keys == sorted(keys) and len(set(keys)) == 12
    assert keys[:3] == [(keys[0][0], "", "G3"), (keys[0][0], "primary", "R1"), (keys[0][0], "primary", "R2")]
    assert [p["count"] for p in pages] == [12, None, None]
    assert all(p["previous"] is None for p in pages)
    assert "cursor=" in pages[0]["next"] and f"round={results.pk}" in pages[0]["next"]


def test_filters_still_apply_on_the_following_pages(city, results, ganlu):
    pages = _walk(city, f"{RESULTS}?township={ganlu.pk}&code=R1&page_size=1")
    assert [p["results"][0]["township"] for p in pages] == [ganlu.pk, ganlu.pk]
    assert {p["results"][0]["code"] for p in pages} == {"R1"}


def test_section_verdicts_walk_by_cursor_too(city, results):
    pages = _walk(city, f"/api/v1/section-verdicts/?round={results.pk}&page_size=3")
    assert [len(p["results"]) for p in pages] == [3, 1]
    assert len({r["school"] for p in pages for r in p["results"]}) == 4


def test_a_deeper_page_makes_no_more_queries(city, results):
    first = body(city.get(f"{RESULTS}?round={results.pk}&page_size=2"))
    second_url = first["next"]
    third_url = body(city.get(second_url))["next"]

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert city.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count(second_url) == count(third_url)


def test_page_numbers_still_work_with_count(city, results):
    data = body(city.get(RESULTS, {"round": results.pk, "page": 2, "page_size": 5}))
    assert data["count"] == 12 and len(data["results"]) == 5
    assert "page=3" in data["next"] and data["previous"]
    ordered = body(city.get(RESULTS, {"ordering": "-value", "page_size": 3}))
    assert ordered["count"] == 12 and [r["value"] for r in ordered["results"]] == [3, 3, 3]


@pytest.mark.parametrize(
    "cursor",
    # not JSON; 3 keys; a text id; a boolean id; a NUL in a text key; not ASCII
    ["garbage", "WzEsMiwzXQ", "WyJ4IiwiYSIsImIiLCJjIl0", "W3RydWUsMSwiIiwiYyJd", "WzEsMSwiXHUwMDAwIiwiYyJd", "游标"],
)
def test_a_cursor_the_portal_did_not_issue_is_a_400(city, results, cursor):
    response = city.get(RESULTS, {"cursor": cursor})
    assert response.status_code == 400
    assert body(response)["error"]["fields"]["cursor"][0]["code"] == "invalid"


def test_a_cursor_with_page_is_a_400(city, results):
    first = body(city.get(f"{RESULTS}?page_size=2"))
    response = city.get(first["next"] + "&page=2")
    assert response.status_code == 400


def test_a_cursor_page_reads_the_scope_from_the_cursors_school_on(city, results):
    """The page after a cursor at school S reads the user's schools with id ≥ S only (PostgreSQL merge-joined the
    whole scope from the first school on every page: deep pages of a big round cost what the first did ×50), and
    still gives the same rows as a walk without the bound would: every row once, the schools' columns filled in."""
    first = body(city.get(f"{RESULTS}?round={results.pk}&page_size=4"))
    school = first["results"][-1]["school"]
    with CaptureQueriesContext(connection) as ctx:
        second = body(city.get(first["next"]))
    page_query = next(q["sql"] for q in ctx.captured_queries if "indicators_schoolresult" in q["sql"])
    assert re.search(rf'"id" >= {school}\b', page_query), page_query
    assert second["results"][0]["school"] >= school
    rows = [r for p in [first, *_walk(city, first["next"])] for r in p["results"]]
    assert len({(r["school"], r["section"], r["code"]) for r in rows}) == len(rows) == 12
    codes = dict(SchoolResult.objects.values_list("school_id", "school__code").distinct())
    assert all(r["school_code"] == codes[r["school"]] and r["school_name"] for r in rows)


def test_a_cursor_is_decoded_once_a_request_and_a_bad_one_still_refused(city, results, monkeypatch):
    from gongqing.api.pagination import KeysetPagination

    calls = []
    original = KeysetPagination._decode

    def counting(self, raw, view):
        calls.append(raw)
        return original(self, raw, view)

    monkeypatch.setattr(KeysetPagination, "_decode", counting)
    first = body(city.get(f"{RESULTS}?round={results.pk}&page_size=5"))
    assert calls == []  # no cursor on the first page
    second = city.get(first["next"])
    assert second.status_code == 200
    assert len(calls) == 1  # the parameters' check, the scope's start and the page share it
    assert [r["code"] for r in body(second)["results"]] == ["R2", "G3", "R1", "R2", "G3"]
    bad = city.get(f"{RESULTS}?round={results.pk}&cursor=WzEsMl0")  # [1,2]: not this list's keyset
    assert bad.status_code == 400 and "cursor" in body(bad)["error"]["fields"]


def _page_sql(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response.content, [q["sql"] for q in ctx.captured_queries if "indicators_schoolresult" in q["sql"]]


def test_a_compiled_cursor_page_runs_the_ordinary_query_with_the_cursors_values(city, results, ganlu, monkeypatch):
    """indicators.api.SchoolRowResults.compiled_page: SQL compiled on a walk's first cursor page, run again with each
    cursor's values; the same SQL, parameters included, and the same bytes as the query built for each page."""
    from indicators import api as indicators_api

    url = f"{RESULTS}?round={results.pk}&township={ganlu.pk}&page_size=2"
    first = body(city.get(url))
    second = first["next"]
    third = body(city.get(second))["next"]  # the plan is made here (or was, by an earlier test)
    compiled = [_page_sql(city, page) for page in (second, third)]
    plans = indicators_api._PAGES._plans
    assert any(plan and key[3][0] is indicators_api.SchoolResultViewSet for key, plan in plans.items())
    monkeypatch.setattr(indicators_api.SchoolRowResults, "compiled_page", lambda self, columns, expressions: None)
    ordinary = [_page_sql(city, page) for page in (second, third)]
    assert compiled == ordinary
    assert all(len(sqls) == 1 for _content, sqls in compiled)
    assert compiled[0][1] != compiled[1][1]  # each page its own cursor's values


def test_compiled_pages_are_keyed_by_the_readers_scope(personas):
    from indicators.access import scope_key

    bureau, official = personas[Role.BUREAU_STAFF], personas["ganlu_official"]
    assert scope_key(bureau) == scope_key(personas[Role.API_CLIENT])  # both read the whole county
    assert scope_key(official) is not None and scope_key(official) != scope_key(bureau)
    assert scope_key(official) != scope_key(personas["jiangyi_official"])  # the township is a parameter
    official.is_active = False
    assert scope_key(official) is None  # sees nothing: read the ordinary way


def test_a_scopes_sql_is_compiled_once_and_is_what_the_readers_schools_compile_to(personas):
    """scope_key keeps each scope's SQL for the process: it must be exactly the SQL of the reader's schools, for
    every kind of reader, and a second reader of the same scope must not compile it again."""
    from django.contrib.auth.models import AnonymousUser

    from indicators.access import _scope_sql, scope_key
    from schools.access import schools_for
    from tests.factories import UserFactory

    readers = [
        *personas.values(),
        UserFactory(username="left", role=Role.BUREAU_STAFF, is_active=False),
        UserFactory(username="no_township", role=Role.TOWNSHIP_OFFICIAL),
        AnonymousUser(),
    ]
    for user in readers:
        try:
            expected = schools_for(user).query.sql_with_params()
            expected = expected[0], tuple(expected[1])
        except EmptyResultSet:
            expected = None
        assert scope_key(user) == expected, user
    _scope_sql.cache_clear()
    scope_key(personas["ganlu_official"])
    scope_key(personas["ganlu_official"])
    assert _scope_sql.cache_info().misses == 1 and _scope_sql.cache_info().hits == 1
