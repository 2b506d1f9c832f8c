"""What-if (模拟测算): changes applied to the pure input, evaluated, compared with the stored results.

Hand-worked county used below (as in test_recompute) — three primary schools, sports ground R5 (threshold 7.5 m²):
  A 400 students, 3000 m² → 7.5      B 200 students, 1000 m² → 5.0 (not met)      C 400 students, 4000 m² → 10.0
  stored: X̄ = 8.0, Σ(P_i/P)(X_i − X̄)² = 3.5, CV = √3.5 / 8 = 0.233854
What-if "B gets 500 m² more sports ground": B 1500 / 200 = 7.5 (met, so B passes 7 of 7)
  X̄ = 8500 / 1000 = 8.5
  Σ = 0.4·(7.5 − 8.5)² + 0.2·(7.5 − 8.5)² + 0.4·(10 − 8.5)² = 0.4 + 0.2 + 0.9 = 1.5
  S = √1.5 = 1.224745;  CV = 1.224745 / 8.5 = 0.144088
"""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from indicators import whatif
from indicators.domain.evaluate import evaluate
from indicators.domain.inputs import EvaluationInput
from indicators.models import Scenario, SchoolResult, SectionCV, SectionVerdict
from schools import services as school_services
from tests.factories import SchoolFactory, make_return, primary_figures
from tests.indicators.domain.builders import school as built_school

A, B, C = "2136100001", "2136100002", "2136100003"
RAISE_B = {"school": B, "field": "sports_area_m2", "delta": "500"}


def _approved_county(official_round, staff, capture):
    specs = [
        (A, "甲小学", 400, 10, "3000"),
        (B, "乙小学", 200, 5, "1000"),
        (C, "丙小学", 400, 10, "4000"),
    ]
    returns = []
    for code, name, students, classes, sports in specs:
        school = SchoolFactory(code=code, name=name)
        teachers = 24 if students == 400 else 12
        figures = primary_figures(students=students, classes=classes, teachers=teachers, sports_area_m2=Decimal(sports))
        returns.append(make_return(school=school, round=official_round, status="submitted", figures=figures))
    with capture(execute=True):
        for ret in returns:
            school_services.return_approve(school_return=ret, by=staff)


@pytest.fixture
def county(official_round, staff, django_capture_on_commit_callbacks):
    _approved_county(official_round, staff, django_capture_on_commit_callbacks)
    return official_round


def _stored(round):
    return (
        sorted(
            SchoolResult.objects.filter(round=round).values_list("school__code", "section", "code", "value", "status")
        ),
        sorted(SectionCV.objects.filter(round=round).values_list("section", "code", "cv", "met")),
        sorted(SectionVerdict.objects.filter(round=round).values_list("school__code", "met_count", "status")),
    )


def _post(client, url, changes, **data):
    return client.post(url, {"changes": json.dumps(changes), **data})


def test_raising_one_schools_sports_area_changes_its_r5_and_the_cv_as_the_hand_computation_says(county, staff, client):
    stored_before = _stored(county)
    client.force_login(staff)

    response = _post(client, reverse("indicators:whatif", args=[county.pk]), [RAISE_B])

    assert response.status_code == 200
    run = response.context["run"]
    assert run.errors == []
    r5 = next(row for row in run.comparison["cvs"]["primary"] if row["code"] == "R5")
    assert r5["before"]["cv"] == Decimal("0.233854")
    assert r5["after"]["cv"] == Decimal("0.144088")
    assert r5["after"]["mean"] == Decimal("8.5")
    b_row = next(row for row in run.comparison["schools"] if row["code"] == B)
    b_r5 = next(cell for cell in b_row["cells"] if cell["code"] == "R5")
    assert (b_r5["before"], b_r5["before_status"]) == (Decimal("5"), "not_met")
    assert (b_r5["after"], b_r5["after_status"]) == (Decimal("7.5"), "met")
    assert (b_row["before"]["verdict"], b_row["after"]["verdict"]) == ("failed", "passed")
    assert "0.144" in response.content.decode()
    assert _stored(county) == stored_before


def test_the_pure_change_raises_only_that_school_and_leaves_the_input_untouched():
    schools = (built_school("S1", primary=400), built_school("S2", primary=200, sports_area_m2=Decimal("1000")))
    inp = EvaluationInput(schools=schools, expected_school_codes=("S1", "S2"))

    changed, stored = whatif.apply_changes(inp, [{"school": "S2", "field": "sports_area_m2", "delta": 500}])

    assert inp.schools[1].sports_area_m2 == Decimal("1000")
    assert changed.schools[1].sports_area_m2 == Decimal("1500")
    assert changed.schools[0] is inp.schools[0]
    assert stored == [{"school": "S2", "field": "sports_area_m2", "delta": "500"}]
    s2 = next(r for r in evaluate(changed).section_results if r.school_code == "S2")
    assert s2.results["R5"].value == Decimal("7.5")


def test_a_negative_result_is_refused_with_a_chinese_message_naming_the_school_and_field(county, staff, client):
    client.force_login(staff)
    url = reverse("indicators:whatif", args=[county.pk])

    response = _post(
        client, url, [], action="add", school=B, field="sports_area_m2", op="delta", amount="-1500", section=""
    )

    run = response.context["run"]
    assert run.changes == []
    assert run.errors == [
        "第1条调整（乙小学 2136100002，体育运动场馆面积（平方米））：调整后为负数（-500），请检查调整量"
    ]
    assert "调整后为负数" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"school": "9999999999", "field": "sports_area_m2", "delta": "1"}, "找不到该学校"),
        ({"school": "S1", "field": "students", "delta": "10"}, "请选择学段"),
        ({"school": "S1", "field": "students", "section": "junior", "delta": "10"}, "该校没有初中学段"),
        ({"school": "S1", "field": "teachers_pe_arts", "section": "primary", "delta": "1.5"}, "应为整数"),
        ({"school": "S1", "field": "sports_area_m2", "delta": "1", "set": "2"}, "二者选一"),
        ({"school": "S1", "field": "class_students", "section": "primary", "class": "无此班", "delta": -1}, "没有"),
        ({"school": "S1", "field": "parent", "set": "S1"}, "找不到所属学校"),
        ({"school": "", "field": "teaching_point_policy", "set": "merge_all"}, "未知的教学点处理方式"),
        ({"school": "S1", "field": "height", "delta": 1}, "未知的调整项"),
    ],
)
def test_an_invalid_change_is_refused_with_a_chinese_message(change, message):
    inp = EvaluationInput(schools=(built_school("S1", primary=400),), expected_school_codes=("S1",))
    with pytest.raises(whatif.ChangeError) as exc:
        whatif.apply_changes(inp, [change])
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("第1条调整")
    assert message in exc.value.messages[0]


def test_splitting_a_class_moves_students_to_a_new_class_and_counts_it():
    s1 = built_school("S1", primary=90)  # two classes of 45
    inp = EvaluationInput(schools=(s1,), expected_school_codes=("S1",))
    first = s1.classes[0].name

    changed, _stored = whatif.apply_changes(
        inp,
        [
            {"school": "S1", "field": "class_students", "section": "primary", "class": first, "delta": -20},
            {"school": "S1", "field": "class_add", "section": "primary", "class": "1年级3班", "grade": 1, "set": 20},
        ],
    )

    school = changed.schools[0]
    assert [c.students for c in school.classes] == [25, 45, 20]
    assert school.primary.classes == s1.primary.classes + 1
    assert school.primary.students == 90


def test_making_a_school_a_teaching_point_merges_it_and_another_policy_evaluates_it_alone():
    parent = built_school("P1", primary=400)
    point = built_school("T1", primary=30)
    inp = EvaluationInput(schools=(parent, point), expected_school_codes=("P1", "T1"))
    to_point = [
        {"school": "T1", "field": "kind", "set": "teaching_point"},
        {"school": "T1", "field": "parent", "set": "P1"},
    ]

    merged, _ = whatif.apply_changes(inp, to_point)
    included, _ = whatif.apply_changes(inp, [*to_point, {"field": "teaching_point_policy", "set": "include"}])

    merged_rows = {r.school_code: r.unit.students for r in evaluate(merged).section_results}
    included_rows = {r.school_code: r.unit.students for r in evaluate(included).section_results}
    assert merged_rows == {"P1": 430}
    assert included_rows == {"P1": 400, "T1": 30}


def test_a_saved_scenario_reopens_with_the_same_changes(county, staff, client):
    client.force_login(staff)
    changes = [RAISE_B, {"school": A, "field": "teachers_pe_arts", "section": "primary", "delta": 2}]

    response = _post(client, reverse("indicators:whatif", args=[county.pk]), changes, action="save", name="补齐运动场")

    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:scenario", args=[scenario.pk])
    assert scenario.name == "补齐运动场"
    assert scenario.created_by == staff
    assert scenario.changes == [RAISE_B, {**changes[1], "delta": 2}]
    assert scenario.result["cvs"]["primary"]["R5"]["cv"] == "0.144088"
    assert AuditEvent.objects.filter(action="scenario.create", object_id=str(scenario.pk)).exists()

    reopened = client.get(reverse("indicators:scenario", args=[scenario.pk]))

    assert reopened.context["run"].changes == scenario.changes
    assert "乙小学 体育运动场馆面积（平方米） +500" in reopened.content.decode()


def test_a_scenario_can_be_edited_and_deleted(county, staff, client):
    client.force_login(staff)
    scenario = Scenario.objects.create(round=county, name="方案一", changes=[RAISE_B], created_by=staff)
    url = reverse("indicators:scenario", args=[scenario.pk])

    _post(client, url, [], action="save", name="方案一（无调整）")
    scenario.refresh_from_db()
    assert scenario.changes == [RAISE_B]  # an empty scenario is refused, the saved one stays

    _post(client, url, [{**RAISE_B, "delta": "800"}], action="save", name="方案一（改）")
    scenario.refresh_from_db()
    assert (scenario.name, scenario.changes) == ("方案一（改）", [{**RAISE_B, "delta": "800"}])

    response = _post(client, url, scenario.changes, action="delete")
    assert response.status_code == 302
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_two_scenarios_are_compared_side_by_side(county, staff, client):
    client.force_login(staff)
    first = Scenario.objects.create(round=county, name="运动场", changes=[RAISE_B])
    second = Scenario.objects.create(
        round=county, name="运动场更多", changes=[{"school": B, "field": "sports_area_m2", "set": "3000"}]
    )

    response = client.get(reverse("indicators:scenario_compare", args=[county.pk]), {"ids": f"{first.pk},{second.pk}"})

    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["kind"] == "cv" and "R5" in r["label"] and "小学" in r["label"])
    # B at 3000 m²: 15.0 per student; X̄ = 10000/1000 = 10; Σ = 0.4·6.25 + 0.2·25 + 0 = 7.5; CV = √7.5/10 = 0.273861
    assert [cell["cv"] for cell in row["cells"]] == [Decimal("0.233854"), Decimal("0.144088"), Decimal("0.273861")]
    body = response.content.decode()
    assert "运动场更多" in body and "0.274" in body


def test_comparing_a_single_scenario_is_refused_with_a_message(county, staff, client):
    client.force_login(staff)
    only = Scenario.objects.create(round=county, name="唯一方案", changes=[RAISE_B])
    response = client.get(reverse("indicators:scenario_compare", args=[county.pk]), {"ids": str(only.pk)})
    assert response.context["error"] == "请选择本批次的2至3个方案进行比较。"
    assert response.context["columns"] == []


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, "ganlu_official", "jiangyi_official"])
def test_only_bureau_roles_reach_the_whatif_pages(county, personas, client, role):
    scenario = Scenario.objects.create(round=county, name="方案", changes=[RAISE_B])
    urls = [
        reverse("indicators:whatif", args=[county.pk]),
        reverse("indicators:scenario", args=[scenario.pk]),
        reverse("indicators:scenario_compare", args=[county.pk]),
    ]
    client.force_login(personas[role])
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    client.force_login(personas[Role.BUREAU_ADMIN])
    assert [client.get(u).status_code for u in urls] == [200, 200, 200]


def _whatif_queries(client, round):
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, reverse("indicators:whatif", args=[round.pk]), [RAISE_B])
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_whatif_page_query_count_does_not_grow_with_schools(
    official_round, staff, client, django_capture_on_commit_callbacks
):
    _approved_county(official_round, staff, django_capture_on_commit_callbacks)
    client.force_login(staff)
    few = _whatif_queries(client, official_round)
    _approved_county_more(official_round, staff, django_capture_on_commit_callbacks)
    many = _whatif_queries(client, official_round)
    assert many == few


def _approved_county_more(official_round, staff, capture):
    returns = []
    for i in range(4):
        school = SchoolFactory(code=f"21362000{i:02d}", name=f"新建小学{i}")
        figures = primary_figures(students=400, classes=10, sports_area_m2=Decimal("3600"))
        returns.append(make_return(school=school, round=official_round, status="submitted", figures=figures))
    with capture(execute=True):
        for ret in returns:
            school_services.return_approve(school_return=ret, by=staff)
