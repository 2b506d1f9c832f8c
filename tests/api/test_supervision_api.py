"""The supervision resources of the API: each persona sees what the pages show them, read only, with exact decimals
and a constant number of queries; and the review fixes of the API core (JSON 404s, one message per bad filter, the
Chinese description of the documentation page).

The plan below: 市财政局 (the department officer's body), 市教体局, 甘露镇 and 江益镇 as bodies.
  item A  甘露镇中心小学 R5, led by 市财政局, 甘露镇 cooperating; updates by 市财政局, 甘露镇 and 江益镇 (one file)
  item B  江益镇中心小学 R5, led by 江益镇
  item C  county G1, led by 市教体局
  measure 3.3 led by 市财政局, 市教体局 cooperating; measure 5.1 led by 甘露镇 and 江益镇 together
  project 甲 at 甘露镇中心小学 closing A; project 乙 at 江益镇中心小学 closing A and B
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from gongqing.roles import Role
from supervision.models import (
    BodyRole,
    Cycle,
    EvidenceFile,
    ItemBody,
    Measure,
    MeasureBody,
    ProgressUpdate,
    Project,
    RectificationItem,
    Stage,
)
from tests.api.conftest import body
from tests.factories import BodyFactory, SchoolFactory

ITEMS = "/api/v1/rectification-items/"
MEASURES = "/api/v1/measures/"
PROJECTS = "/api/v1/projects/"


@pytest.fixture
def plan(personas, finance, ganlu, jiangyi, ganlu_school, jiangyi_school):
    education = BodyFactory(code="education", name="市教体局", order=1)
    ganlu_body = BodyFactory(code="ganlu", name="甘露镇", kind="township", township=ganlu)
    jiangyi_body = BodyFactory(code="jiangyi", name="江益镇", kind="township", township=jiangyi)
    cycle = Cycle.objects.create(name="2020—2022年创建周期", is_current=True)
    stage = Stage.objects.create(cycle=cycle, number=3, name="全面推进", ends=datetime.date(2021, 12, 31))
    Stage.objects.create(cycle=cycle, number=1, name="宣传发动", ends=datetime.date(2020, 6, 30))
    a = _item(
        f"school:{ganlu_school.pk}:primary:R5",
        ganlu_school,
        [(finance, "lead"), (ganlu_body, "cooperating")],
        value=Decimal("5.000000"),
        gap=Decimal("500.000000"),
        stage=stage,
        due_date=datetime.date(2021, 6, 30),  # past due, in a cycle whose last stage has ended: not overdue
    )
    b = _item(f"school:{jiangyi_school.pk}:primary:R5", jiangyi_school, [(jiangyi_body, "lead")])
    c = _item("county:G1", None, [(education, "lead")], kind="county", code="G1", due_date=datetime.date(2000, 1, 1))
    m1 = Measure.objects.create(cycle=cycle, ref="3.3", title="教师平均工资收入不低于当地公务员", stage=stage)
    MeasureBody.objects.create(measure=m1, body=finance, role=BodyRole.LEAD)
    MeasureBody.objects.create(measure=m1, body=education, role=BodyRole.COOPERATING)
    m2 = Measure.objects.create(cycle=cycle, ref="5.1", title="消除大班额")
    MeasureBody.objects.create(measure=m2, body=ganlu_body, role=BodyRole.LEAD)
    MeasureBody.objects.create(measure=m2, body=jiangyi_body, role=BodyRole.LEAD)
    for who, text in ((finance, "资金已拨付"), (ganlu_body, "已开工"), (jiangyi_body, "协助调配")):
        ProgressUpdate.objects.create(item=a, body=who, text=text, percent=30)
    update = a.updates.get(text="已开工")
    evidence = EvidenceFile(update=update, name="开工报告.pdf", content_type="application/pdf", size=9)
    evidence.file.save("start.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    p1 = Project.objects.create(
        name="甲运动场", school=ganlu_school, kind="sports_ground", budget_city=Decimal("100.50")
    )
    p1.items.add(a)
    p2 = Project.objects.create(name="乙运动场", school=jiangyi_school, kind="sports_ground")
    p2.items.add(a, b)
    return {"a": a, "b": b, "c": c, "m1": m1, "m2": m2, "p1": p1, "p2": p2, "cycle": cycle, "stage": stage}


def _item(key, school, bodies, kind="school", code="R5", **fields):
    item = RectificationItem.objects.create(
        key=key, kind=kind, school=school, section="primary" if school else "", code=code, title=key, **fields
    )
    for b, role in bodies:
        ItemBody.objects.create(item=item, body=b, role=role)
    return item


def _as(bearer, personas, persona):
    return bearer(personas[persona], "read")


def _ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in body(response)["results"]}


# --- who sees what ---------------------------------------------------------------------------------------------------
SEES_ITEMS = {
    Role.BUREAU_STAFF: "abc",
    Role.LEADERSHIP: "abc",
    Role.API_CLIENT: "abc",
    Role.DEPARTMENT_OFFICER: "a",  # 市财政局 leads A
    "ganlu_official": "a",  # 甘露镇 cooperates on A (and A is its school's)
    "jiangyi_official": "b",
}


@pytest.mark.parametrize("persona", sorted(SEES_ITEMS))
def test_each_persona_lists_the_items_of_its_pages(persona, bearer, personas, plan):
    client = _as(bearer, personas, persona)
    assert _ids(client.get(ITEMS)) == {plan[k].pk for k in SEES_ITEMS[persona]}


SEES_MEASURES = {
    Role.BUREAU_ADMIN: ("m1", "m2"),
    Role.LEADERSHIP: ("m1", "m2"),
    Role.API_CLIENT: ("m1", "m2"),
    Role.DEPARTMENT_OFFICER: ("m1",),
    "ganlu_official": ("m2",),
    "jiangyi_official": ("m2",),
}


@pytest.mark.parametrize("persona", sorted(SEES_MEASURES))
def test_each_persona_lists_the_measures_of_its_body(persona, bearer, personas, plan):
    client = _as(bearer, personas, persona)
    assert _ids(client.get(MEASURES)) == {plan[k].pk for k in SEES_MEASURES[persona]}


def test_an_item_out_of_scope_is_not_found(bearer, personas, plan):
    client = _as(bearer, personas, "jiangyi_official")
    for url in (f"{ITEMS}{plan['a'].pk}/", f"{ITEMS}{plan['a'].pk}/updates/", f"{MEASURES}{plan['m1'].pk}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert body(response)["error"]["code"] == "not_found"


@pytest.mark.parametrize("url", [ITEMS, MEASURES, PROJECTS, "/api/v1/bodies/", "/api/v1/cycles/", "/api/v1/stages/"])
def test_the_auditor_reads_no_supervision_data(url, bearer, personas, plan):
    assert _as(bearer, personas, Role.AUDITOR).get(url).status_code == 403


def test_a_token_without_the_read_scope_reads_nothing(bearer, personas, plan):
    client = bearer(personas[Role.API_CLIENT], "returns:write")
    assert client.get(ITEMS).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_supervision_resources_are_read_only(method, bearer, personas, plan):
    client = bearer(personas[Role.BUREAU_STAFF], "read", "returns:write", "reports:write")
    assert getattr(client, method)(f"{ITEMS}{plan['a'].pk}/", {"percent": 90}, format="json").status_code == 405
    assert getattr(client, method)(ITEMS, {"title": "新任务"}, format="json").status_code == 405
    plan["a"].refresh_from_db()
    assert plan["a"].percent == 0 and RectificationItem.objects.count() == 3


# --- what an item says -----------------------------------------------------------------------------------------------
def test_an_item_carries_its_bodies_projects_and_exact_numbers(bearer, personas, plan, ganlu_school):
    response = _as(bearer, personas, Role.API_CLIENT).get(f"{ITEMS}{plan['a'].pk}/")
    assert '"value":5.000000,' in response.content.decode()
    item = body(response)
    assert item["value"] == Decimal("5.000000") and item["gap"] == Decimal("500.000000")
    assert item["school_code"] == "2136000001" and item["township"] == ganlu_school.township_id
    assert [(b["code"], b["role"]) for b in item["bodies"]] == [("finance", "lead"), ("ganlu", "cooperating")]
    assert sorted(item["projects"]) == sorted([plan["p1"].pk, plan["p2"].pk])
    assert item["stage"] == plan["stage"].pk and item["overdue"] is False


def test_a_county_item_past_due_in_no_cycle_is_overdue(bearer, personas, plan):
    client = _as(bearer, personas, Role.LEADERSHIP)
    item = body(client.get(f"{ITEMS}{plan['c'].pk}/"))
    assert item["school"] is None and item["school_code"] is None and item["overdue"] is True
    assert _ids(client.get(ITEMS, {"overdue": "true"})) == {plan["c"].pk}


def test_a_township_official_sees_no_other_township_by_name(bearer, personas, plan):
    client = _as(bearer, personas, "ganlu_official")
    measure = body(client.get(f"{MEASURES}{plan['m2'].pk}/"))
    assert [b["name"] for b in measure["bodies"]] == ["甘露镇"]
    names = {b["name"] for b in body(client.get("/api/v1/bodies/"))["results"]}
    assert names == {"市财政局", "市教体局", "甘露镇"}
    updates = body(client.get(f"{ITEMS}{plan['a'].pk}/updates/"))["results"]
    assert {u["body_name"] for u in updates} == {"甘露镇", "市财政局"} and len(updates) == 2
    assert "江益镇" not in client.get(f"{ITEMS}{plan['a'].pk}/updates/").content.decode()


def test_progress_updates_list_the_evidence_files(bearer, personas, plan):
    page = body(_as(bearer, personas, Role.BUREAU_STAFF).get(f"{ITEMS}{plan['a'].pk}/updates/"))
    assert page["count"] == 3
    started = next(u for u in page["results"] if u["text"] == "已开工")
    assert [(f["name"], f["size"]) for f in started["files"]] == [("开工报告.pdf", 9)]
    assert started["item"] == plan["a"].pk and started["measure"] is None and started["percent"] == 30


def test_a_project_lists_only_the_items_the_user_sees(bearer, personas, plan):
    client = _as(bearer, personas, "ganlu_official")
    # 乙 is at 江益镇's school but closes 甘露镇's item A: shown, with A only.
    rows = {p["name"]: p for p in body(client.get(PROJECTS))["results"]}
    assert set(rows) == {"甲运动场", "乙运动场"}
    assert rows["乙运动场"]["items"] == [plan["a"].pk]
    assert rows["甲运动场"]["budget_total"] == Decimal("100.50")
    assert _ids(_as(bearer, personas, "jiangyi_official").get(PROJECTS)) == {plan["p2"].pk}
    assert _ids(_as(bearer, personas, Role.DEPARTMENT_OFFICER).get(PROJECTS)) == {plan["p1"].pk, plan["p2"].pk}


def test_cycles_carry_their_stages_in_order(bearer, personas, plan):
    client = _as(bearer, personas, Role.DEPARTMENT_OFFICER)
    cycles = body(client.get("/api/v1/cycles/", {"is_current": "true"}))["results"]
    assert [(c["name"], [s["number"] for s in c["stages"]]) for c in cycles] == [("2020—2022年创建周期", [1, 3])]
    assert _ids(client.get("/api/v1/stages/", {"cycle": plan["cycle"].pk})) == set(
        plan["cycle"].stages.values_list("pk", flat=True)
    )


# --- filters ---------------------------------------------------------------------------------------------------------
def test_item_filters(bearer, personas, plan, ganlu, finance):
    client = _as(bearer, personas, Role.API_CLIENT)
    assert _ids(client.get(ITEMS, {"township": ganlu.pk})) == {plan["a"].pk}
    assert _ids(client.get(ITEMS, {"body": finance.pk})) == {plan["a"].pk}
    assert _ids(client.get(ITEMS, {"kind": "county"})) == {plan["c"].pk}
    assert _ids(client.get(ITEMS, {"stage": plan["stage"].pk, "state": "open"})) == {plan["a"].pk}
    assert _ids(client.get(MEASURES, {"body": finance.pk})) == {plan["m1"].pk}


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"body": "abc"}, "body", "invalid"),
        ({"state": "nope"}, "state", "invalid_choice"),
        ({"overdue": "maybe"}, "overdue", "invalid"),
        ({"township": ""}, "township", "blank"),
    ],
)
def test_a_bad_filter_is_one_chinese_message_for_its_field(params, field, code, bearer, personas, plan):
    response = _as(bearer, personas, Role.API_CLIENT).get(ITEMS, params)
    assert response.status_code == 400
    errors = body(response)["error"]["fields"]
    assert list(errors) == [field] and len(errors[field]) == 1
    assert errors[field][0]["code"] == code and not errors[field][0]["message"].isascii()


# --- a constant number of queries ------------------------------------------------------------------------------------
def _grow(plan, finance, n):
    """n more items of new schools, each led by 市财政局 with an update, a project and a measure."""
    for i in range(n):
        school = SchoolFactory()
        item = _item(f"school:{school.pk}:primary:R1", school, [(finance, "lead")])
        ProgressUpdate.objects.create(item=item, body=finance, text="推进中", percent=10)
        Project.objects.create(name=f"项目{i}", school=school, kind="equipment").items.add(item)
        measure = Measure.objects.create(cycle=plan["cycle"], ref=f"9.{i}", title="措施", stage=plan["stage"])
        MeasureBody.objects.create(measure=measure, body=finance, role=BodyRole.LEAD)


@pytest.mark.parametrize("persona", [Role.API_CLIENT, "ganlu_official"])
@pytest.mark.parametrize("url", [ITEMS, MEASURES, PROJECTS, "/api/v1/bodies/", "/api/v1/cycles/"])
def test_lists_make_as_many_queries_for_many_rows_as_for_few(
    url, persona, bearer, personas, plan, finance, django_assert_max_num_queries
):
    client = _as(bearer, personas, persona)
    client.get(url)  # warm: the token's last-used stamp, the content types
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _grow(plan, finance, 25)
    for i in range(3):
        BodyFactory(code=f"dept{i}", name=f"部门{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_updates_make_as_many_queries_for_many_rows_as_for_few(
    bearer, personas, plan, finance, django_assert_max_num_queries
):
    client = _as(bearer, personas, Role.BUREAU_STAFF)
    url = f"{ITEMS}{plan['a'].pk}/updates/"
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for i in range(20):
        update = ProgressUpdate.objects.create(item=plan["a"], body=finance, text=f"第{i}次", percent=i)
        EvidenceFile.objects.create(update=update, file="x.pdf", name="x.pdf", content_type="application/pdf", size=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert body(client.get(url))["count"] == 23


# --- review fixes of the API core ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nope/", "/api/nope/", "/api/v1/schools/1/nope/", "/api/"])
def test_a_path_under_api_that_names_nothing_is_the_json_404(path, bearer, personas):
    client = bearer(personas[Role.API_CLIENT], "read")
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"].startswith("application/json")
        assert body(response) == {"error": {"code": "not_found", "message": "未找到。", "fields": {}}}


def test_a_missing_trailing_slash_still_redirects_to_the_resource(bearer, personas):
    response = bearer(personas[Role.API_CLIENT], "read").get("/api/v1/schools")
    assert response.status_code == 301 and response["Location"] == "/api/v1/schools/"


def test_a_bad_integer_filter_gives_one_message(bearer, personas, official_round):
    response = bearer(personas[Role.API_CLIENT], "read").get("/api/v1/returns/", {"round": "abc"})
    assert response.status_code == 400
    assert body(response)["error"]["fields"] == {"round": [{"code": "invalid", "message": "须为整数。"}]}


def test_the_documentation_describes_the_api_in_chinese_without_a_repository_path(bearer, personas):
    response = bearer(personas[Role.API_CLIENT], "read").get("/api/schema/", {"format": "json"})
    description = body(response)["info"]["description"]
    assert "令牌" in description and "Authorization: Bearer" in description and "school-results" in description
    assert "docs/api.md" not in description and not description.startswith("Read")
