"""The result lists written from `values()` rows give, on the demo county, exactly the JSON their serializers gave from
model instances: the same rows in the same order, the same keys in the same order, the same numbers to the digit.

The "old" output is computed here, by the serializer each list declares in its schema, over model instances read in
the list's own order, and rendered by the API's renderer; it is compared with what the API answers, page by page
(keyset cursor and page numbers alike). One audit row per call stays.
"""

import json

import pytest
from django.core.management import call_command

from gongqing.api.renderers import ExactJSONRenderer
from gongqing.models import AuditEvent, User
from indicators import api as indicators_api
from indicators.models import SchoolResult, SectionCV, SectionVerdict


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def city(demo, bearer):
    return bearer(User.objects.get(username="jiujiang_api"), "read")


def as_json(data):
    """What a client reads: the renderer's bytes parsed back (key order kept), so Decimals compare by their digits."""
    return json.loads(ExactJSONRenderer().render(data), object_pairs_hook=list)


def walk(api, url: str) -> list:
    """Every row of a list, following `next`; each page's rows as (key, value) pairs in order."""
    rows, pages = [], 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content[:300]
        page = json.loads(response.content, object_pairs_hook=list)
        body = dict(page)
        rows.extend(body["results"])
        url = body["next"]
        pages += 1
    return rows, pages


def old_output(serializer, queryset) -> list:
    return as_json(serializer(list(queryset), many=True).data)


LISTS = [
    (
        "/api/v1/school-results/",
        indicators_api.SchoolResultSerializer,
        lambda: SchoolResult.objects.select_related("school").order_by("round_id", "school_id", "section", "code"),
    ),
    (
        "/api/v1/section-verdicts/",
        indicators_api.SectionVerdictSerializer,
        lambda: SectionVerdict.objects.select_related("school").order_by("round_id", "school_id", "section"),
    ),
    (
        "/api/v1/section-results/",
        indicators_api.SectionResultSerializer,
        lambda: SectionCV.objects.order_by("round_id", "section", "code"),
    ),
]


@pytest.mark.parametrize(("url", "serializer", "queryset"), LISTS, ids=["school-results", "verdicts", "cvs"])
def test_each_result_list_gives_its_serializers_json_from_rows(city, url, serializer, queryset):
    expected = old_output(serializer, queryset())
    assert len(expected) > 20  # the demo's three rounds: hundreds of results, dozens of verdicts and CVs
    walked, pages = walk(city, f"{url}?page_size=7")
    assert pages > 2
    assert walked == expected
    by_page, _pages = walk(city, f"{url}?page=1&page_size=7")  # the deprecated page numbers: the same rows
    assert by_page == expected


def test_a_rounds_school_results_by_cursor_are_its_serializers_rows_and_each_call_is_audited(city):
    from schools.models import CollectionRound

    rnd = CollectionRound.objects.get(school_year__year=2023, kind="official")
    expected = old_output(
        indicators_api.SchoolResultSerializer,
        SchoolResult.objects.filter(round=rnd).select_related("school").order_by("school_id", "section", "code"),
    )
    before = AuditEvent.objects.filter(action="api.call").count()
    walked, pages = walk(city, f"/api/v1/school-results/?round={rnd.pk}&page_size=50")
    assert walked == expected and pages == len(expected) // 50 + 1
    assert AuditEvent.objects.filter(action="api.call").count() == before + pages


def test_the_schema_of_each_list_still_names_its_serializers_fields_in_the_rows_order(city):
    schema = json.loads(city.get("/api/schema/", {"format": "json"}).content)
    components = schema["components"]["schemas"]
    for url, serializer, _queryset in LISTS:
        name = serializer.__name__.removesuffix("Serializer")
        assert list(components[name]["properties"]) == list(serializer().fields)
        rows, _pages = walk(city, f"{url}?page_size=3")
        assert [key for key, _value in rows[0]] == list(serializer().fields)
        ref = schema["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        paginated = components[ref.rsplit("/", 1)[1]]
        assert paginated["properties"]["results"]["items"]["$ref"].endswith(f"/{name}")


def test_a_cursor_drops_the_round_from_its_comparison_only_when_the_filter_fixes_it_to_the_cursors_round(rf):
    from rest_framework.request import Request

    from gongqing.api.pagination import KeysetPagination

    view = indicators_api.SchoolResultViewSet()
    cursor = [4, 17, "primary", "R3"]

    def compared(query):
        return KeysetPagination.unfixed(Request(rf.get("/", query)), view, cursor)

    assert compared({"round": "4"}) == (["school_id", "section", "code"], [17, "primary", "R3"])
    assert compared({"round": "5"}) == (list(view.keyset), cursor)  # another round: the whole row is compared
    assert compared({}) == (list(view.keyset), cursor)
    assert compared({"year": "2023"}) == (list(view.keyset), cursor)


def _row(i, **changes):
    from decimal import Decimal

    row = {
        "round_id": 3,
        "school_id": 1000 + i,
        "school__code": f"36{i:08d}",
        "school__name": "甘露镇中心小学",
        "school__township_id": 7,
        "school__kind": "primary",
        "section": "primary",
        "code": "R1",
        "value": Decimal("4.233854"),
        "threshold": Decimal("4.200000"),
        "status": "met",
        "gap": None,
        "detail": {"ratio": "1.0123", "unit": "3.5", "n": 12, "ok": True, "none": None},
    }
    row.update(changes)
    return row


def school_result_rows(rows: list[dict]) -> list[dict]:
    """SchoolResultSerializer's output from `values(*columns_of(RESULT_COLUMNS))` rows, as dicts for the renderer:
    the reference that school_result_json's bytes are checked against."""
    return [
        {
            "round": r["round_id"],
            "school": r["school_id"],
            "school_code": r["school__code"],
            "school_name": r["school__name"],
            "township": r["school__township_id"],
            "kind": r["school__kind"],
            "section": r["section"],
            "code": r["code"],
            "value": r["value"],
            "threshold": r["threshold"],
            "status": r["status"],
            "met": r["status"] == "met",
            "gap": r["gap"],
            "detail": indicators_api.numbers(r["detail"]),
        }
        for r in rows
    ]


def test_the_school_results_written_row_by_row_are_the_renderers_bytes():
    """indicators.api.school_result_json writes each row itself; the page must be byte for byte what the renderer
    wrote from school_result_rows: odd texts, nulls, signs, exponents, details of every shape."""
    from collections import OrderedDict
    from decimal import Decimal

    rows = [
        _row(0),
        _row(1, school__name='引号"反斜杠\\ 换行\n 制表\t \u2028 \u2029 \x01 😀', code="G3", section=""),
        _row(2, value=None, threshold=None, gap=Decimal("-0.000001"), status="not_met"),
        _row(3, value=Decimal("1E+3"), threshold=Decimal("0E-6"), gap=Decimal("-12.5"), status="within_tolerance"),
        _row(4, school__township_id=None, detail={}),
        _row(5, detail={"ratio": "007", "neg": "-0", "x": "1.50", "code": "12", "label": "3", "f": 1.25}),
        _row(6, detail={"nested": {"a": "1.5", "unit": "2"}, "list": ["1", "x", 2]}),
        _row(7, detail=["1.5", "a"]),
        _row(8, detail={"s": "not 1.5", "e": "1e5", "big": 10**20, "f": False}),
        _row(9, detail="2.5"),
    ]
    renderer = ExactJSONRenderer()
    for page in ([], [rows[0]], rows):
        envelope = [("count", None), ("next", "http://testserver/x/?cursor=abc&round=3"), ("previous", None)]
        fast = renderer.render(OrderedDict([*envelope, ("results", indicators_api.school_result_json(page))]))
        slow = renderer.render(OrderedDict([*envelope, ("results", school_result_rows(page))]))
        assert fast == slow
    assert b'"value":1000,' in fast and b'"threshold":0.000000,' in fast and b"\\u2028" in fast
    assert b'"detail":{"ratio":7,"neg":-0,"x":1.50,"code":"12","label":"3","f":1.25}' in fast
