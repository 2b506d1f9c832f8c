"""What a day's use of the supervision pages found: dates that vanished from edit forms, a zero score shown as "no
score", other townships in a township official's timeline, history rows that looked identical, projects losing
their closed items on save, and measures the bureau could not edit."""

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision import selectors, services
from supervision.models import Cycle, Measure, Project, RectificationItem

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def ledger(county, official_round, demo_cycle, recompute, personas, r5_routed_to_natural_resources):
    recompute(official_round)
    services.measures_seed(cycle=demo_cycle)
    return {
        "B": RectificationItem.objects.get(school=county["B"], code="R5"),
        "C": RectificationItem.objects.get(school=county["C"], code="R5"),
    }


# --- Dates in edit forms --------------------------------------------------------------------------------------------


def test_edit_forms_give_date_inputs_iso_dates_so_the_browser_shows_and_keeps_them(ledger, login, staff):
    """<input type="date"> ignores "2026/12/31" (the locale's format): the field looked empty and saving cleared it."""
    project = Project.objects.create(
        name="乙小学运动场扩建", school=ledger["B"].school, kind="sports_ground", planned_completion="2026-12-31"
    )
    client = login(staff)
    page = client.get(reverse("supervision:project_edit", kwargs={"pk": project.pk})).content.decode()
    assert 'name="planned_completion" value="2026-12-31"' in page
    b = ledger["B"]
    page = client.get(reverse("supervision:item_schedule", kwargs={"pk": b.pk})).content.decode()
    assert f'name="due_date" value="{b.due_date.isoformat()}"' in page


def test_saving_a_project_keeps_its_link_to_an_item_closed_since(ledger, login, staff):
    b = ledger["B"]
    project = Project.objects.create(name="乙小学运动场扩建", school=b.school, kind="sports_ground", percent=100)
    project.items.add(b)
    RectificationItem.objects.filter(pk=b.pk).update(state="closed")
    client = login(staff)
    url = reverse("supervision:project_edit", kwargs={"pk": project.pk})
    page = client.get(url).content.decode()
    assert "School" not in page and "学校" in page
    assert f'value="{b.pk}"' in page  # the closed item is still offered, ticked
    data = {
        "name": project.name,
        "school": b.school.pk,
        "kind": "sports_ground",
        "budget_city": "0",
        "budget_provincial": "0",
        "budget_rewards": "0",
        "percent": "100",
        "items": [b.pk],
    }
    assert client.post(url, data).status_code == 302
    assert list(project.items.values_list("pk", flat=True)) == [b.pk]


# --- The assessment -------------------------------------------------------------------------------------------------


def test_a_body_with_work_due_and_none_accepted_scores_zero_not_a_dash(ledger, login, personas):
    """Everything falls due on 2024-09-30, before today (2024-10-15), and nothing is accepted: 市自然资源局 leads B and
    measure 2.2 and cooperates on 2.1, all overdue: (1 × 0 + 1 × 0 + 0.5 × 0) ÷ 2.5 = 0.0, ranked."""
    due = datetime.date(2024, 9, 30)
    RectificationItem.objects.update(due_date=due)
    Measure.objects.update(due_date=due)
    page = login(personas[Role.LEADERSHIP]).get(reverse("supervision:assessment"), {"year": 2024})
    row = next(r for r in page.context["rows"] if r.body.code == "natural_resources")
    assert str(row.score) == "0.0" and row.rank == 1
    html = page.content.decode()
    cells = html.split("市自然资源局", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0.0</td>' in cells


# --- The timeline ---------------------------------------------------------------------------------------------------


def test_a_township_official_sees_no_other_township_in_the_stage_timeline(ledger, login, ganlu_official, staff):
    """Measures 1.3 and 5.2 are led by every township; 甘露镇's official sees their own row, not 江益镇's."""
    rows = {r.body.code for r in login(ganlu_official).get(reverse("supervision:home")).context["timeline"]}
    assert "ganlu" in rows and "jiangyi" not in rows
    page = login(ganlu_official).get(reverse("supervision:home")).content.decode()
    assert "江益镇" not in page
    rows = {r.body.code for r in login(staff).get(reverse("supervision:home")).context["timeline"]}
    assert {"ganlu", "jiangyi"} <= rows


# --- History --------------------------------------------------------------------------------------------------------


def test_the_history_says_what_changed_in_chinese(ledger, login, staff):
    b = ledger["B"]
    old_due = b.due_date
    services.item_schedule(item=b, stage=b.stage, due_date=datetime.date(2025, 2, 1), target=b.target, by=staff)
    page = login(staff).get(reverse("supervision:item", kwargs={"pk": b.pk})).content.decode()
    assert f"完成时限：{old_due.isoformat()} → 2025-02-01" in page
    assert "新建" in page
    assert "ledger sync" not in page


# --- Editing measures -----------------------------------------------------------------------------------------------


def _measure_data(measure, **changes):
    data = {
        "ref": measure.ref,
        "title": measure.title,
        "leads": [a.body_id for a in measure.assignments.all() if a.role == "lead"],
        "cooperating": [a.body_id for a in measure.assignments.all() if a.role != "lead"],
        "stage": measure.stage_id,
        "due_date": measure.due_date.isoformat(),
    }
    return data | changes


def test_the_bureau_edits_a_measures_wording_bodies_and_due_date(ledger, login, staff, bodies, demo_cycle):
    measure = Measure.objects.get(cycle=demo_cycle, ref="3.3")
    client = login(staff)
    url = reverse("supervision:measure_edit", kwargs={"pk": measure.pk})
    data = _measure_data(
        measure,
        title="教师平均工资收入水平不低于当地公务员平均工资收入水平（含绩效）",
        leads=[bodies["finance"].pk],
        cooperating=[bodies["hr"].pk, bodies["ganlu"].pk],
        due_date="2025-01-10",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title.endswith("（含绩效）") and measure.due_date == datetime.date(2025, 1, 10)
    roles = {(a.body.code, a.role) for a in measure.assignments.select_related("body")}
    assert roles == {("finance", "lead"), ("hr", "cooperating"), ("ganlu", "cooperating")}
    assert AuditEvent.objects.filter(action="supervision.measure_save").count() == 1
    page = client.get(reverse("supervision:measure", kwargs={"pk": measure.pk})).content.decode()
    assert "完成时限：" in page and "→ 2025-01-10" in page


def test_a_measure_ref_already_used_in_the_cycle_is_refused_with_a_chinese_message(ledger, login, staff, demo_cycle):
    measure = Measure.objects.get(cycle=demo_cycle, ref="3.3")
    before = (measure.ref, measure.title)
    response = login(staff).post(
        reverse("supervision:measure_edit", kwargs={"pk": measure.pk}), _measure_data(measure, ref="3.2", title="改")
    )
    assert response.status_code == 200
    assert "编号“3.2”在本周期已有措施使用。" in response.content.decode()
    measure.refresh_from_db()
    assert (measure.ref, measure.title) == before


def test_the_bureau_adds_a_measure_to_the_current_cycle_due_at_its_stages_end(ledger, login, staff, bodies, demo_cycle):
    stage = demo_cycle.stages.get(number=4)
    response = login(staff).post(
        reverse("supervision:measure_create"),
        {"ref": "6.1", "title": "建立优质均衡发展监测机制", "leads": [bodies["education"].pk], "stage": stage.pk},
    )
    assert response.status_code == 302
    measure = Measure.objects.get(cycle=demo_cycle, ref="6.1")
    assert measure.due_date == stage.ends
    assert [a.body.code for a in measure.assignments.all()] == ["education"]


def test_an_archived_cycles_measure_is_not_editable_and_others_may_not_edit(ledger, login, staff, personas):
    archived = services.cycle_create(name="2020—2022", stages=services.published_stage_dates(), read_only=True)
    services.measures_seed(cycle=archived)
    old = Measure.objects.get(cycle=archived, ref="3.3")
    client = login(staff)
    assert client.get(reverse("supervision:measure_edit", kwargs={"pk": old.pk})).status_code == 404
    current = Measure.objects.exclude(cycle=archived).get(ref="3.3")
    officer = login(personas[Role.DEPARTMENT_OFFICER])
    response = officer.post(reverse("supervision:measure_edit", kwargs={"pk": current.pk}), _measure_data(current))
    assert response.status_code == 403
    assert Cycle.objects.get(pk=archived.pk).read_only


# --- Projects in a what-if ------------------------------------------------------------------------------------------


def test_a_project_applies_to_a_what_if_of_the_ledgers_round(ledger, login, staff, personas, official_round):
    """乙小学 needs 500 m² of sports ground (7.5 × 200 − 1000 = 500); a 500 m² project tried in the what-if gives
    (1000 + 500) / 200 = 7.5 m² per student: its blocking R5 is gone after the change."""
    b = ledger["B"]
    Project.objects.create(name="乙小学运动场扩建", school=b.school, kind="sports_ground", area_m2=Decimal("500.00"))
    Project.objects.create(name="城南新建小学", kind="new_school", places=1000)
    page = login(staff).get(reverse("supervision:projects"))
    html = page.content.decode()
    whatif = reverse("indicators:whatif", kwargs={"pk": official_round.pk})
    assert html.count(f'action="{whatif}"') == 1  # the new school has no figure to apply
    sports = next(p for p in page.context["projects"] if p.kind == "sports_ground")
    assert json.loads(sports.whatif_changes) == [{"school": b.school.code, "field": "sports_area_m2", "delta": "500"}]
    run = login(staff).post(whatif, {"changes": sports.whatif_changes, "action": "run"})
    assert run.status_code == 200 and not run.context["run"].errors
    shown = run.content.decode()
    assert "乙小学" in shown and "调整后不再存在" in shown
    assert (
        "测算项目完成后的效果"
        not in login(personas[Role.LEADERSHIP]).get(reverse("supervision:projects")).content.decode()
    )


def test_equipment_and_hiring_projects_map_to_the_schools_figures(county):
    school = county["A"]
    equipment = Project(
        name="仪器更新",
        school=school,
        kind="equipment",
        budget_city=Decimal("300000.00"),
        budget_provincial=Decimal(0),
        budget_rewards=Decimal("4500"),
    )
    hiring = Project(name="招聘", school=school, kind="hiring", teachers=3)
    assert selectors.project_whatif_changes(equipment) == [
        {"school": school.code, "field": "equipment_value_yuan", "delta": "304500"}
    ]
    assert selectors.project_whatif_changes(hiring) == [
        {"school": school.code, "field": "teachers", "section": "primary", "delta": "3"}
    ]
    assert selectors.project_whatif_changes(Project(name="无学校", kind="sports_ground", area_m2=Decimal(100))) == []


def test_a_timeline_cell_opens_the_ledger_filtered_by_its_body_and_stage(ledger, login, staff, bodies, ganlu_official):
    """市自然资源局 leads both R5 items, in stage 3: its cell links to the ledger showing exactly those two."""
    b = ledger["B"]
    link = f"{reverse('supervision:ledger')}?body={bodies['natural_resources'].pk}&amp;stage={b.stage_id}"
    assert link in login(staff).get(reverse("supervision:home")).content.decode()
    page = login(staff).get(
        reverse("supervision:ledger"), {"body": bodies["natural_resources"].pk, "stage": b.stage_id}
    )
    assert {i.pk for i in page.context["items"]} == {ledger["B"].pk, ledger["C"].pk}
    assert link not in login(ganlu_official).get(reverse("supervision:home")).content.decode()


def test_the_bureau_filters_the_ledger_by_the_schools_township_and_sees_its_source_round(
    ledger, login, staff, ganlu, ganlu_official
):
    page = login(staff).get(reverse("supervision:ledger"), {"township": ganlu.pk})
    assert [i.school.name for i in page.context["items"]] == ["乙小学"]
    assert "指标状态依据" in page.content.decode()
    assert "township" not in login(ganlu_official).get(reverse("supervision:ledger")).context["filter"].fields


def test_an_items_page_takes_the_same_number_of_queries_for_more_updates_and_history(
    ledger, login, staff, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    b = ledger["B"]
    client = login(staff)
    url = reverse("supervision:item", kwargs={"pk": b.pk})
    services.progress_post(obj=b, by=staff, text="第1次", percent=10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(2, 8):
        services.progress_post(obj=b, by=staff, text=f"第{i}次", percent=10 * i)
        services.item_schedule(item=b, stage=b.stage, due_date=datetime.date(2025, 1, i), target=b.target, by=staff)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


# --- Cycles ---------------------------------------------------------------------------------------------------------


def _cycle_data(name="2025—2026年复评周期", **changes):
    data = {"name": name, "note": "省级复评前", "seed_measures": "on", "ends_1": "2025-03-31"}
    dates = [("2025-04-01", "2025-06-30"), ("2025-07-01", "2025-09-30"), ("2025-10-01", "2025-12-31")]
    dates.append(("2026-01-01", "2026-06-30"))
    for number, (starts, ends) in enumerate(dates, start=2):
        data |= {f"starts_{number}": starts, f"ends_{number}": ends}
    return data | changes


def test_the_bureau_opens_a_new_cycle_with_its_stages_and_the_plans_measures(ledger, login, staff):
    response = login(staff).post(reverse("supervision:cycle_create"), _cycle_data())
    assert response.status_code == 302
    cycle = Cycle.objects.get(name="2025—2026年复评周期")
    stages = list(cycle.stages.values_list("number", "starts", "ends"))
    assert stages[0] == (1, None, datetime.date(2025, 3, 31))
    assert stages[4] == (5, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert cycle.measures.count() == 13 and not cycle.is_current and not cycle.read_only
    assert cycle.measures.get(ref="3.3").due_date == datetime.date(2025, 6, 30)  # 3.3 is in stage 2, which ends then
    assert AuditEvent.objects.filter(action="supervision.cycle_create").count() == 1


def test_overlapping_stages_or_a_taken_name_are_refused_in_chinese_and_nothing_is_made(ledger, login, staff):
    client = login(staff)
    before = Cycle.objects.count()
    response = client.post(reverse("supervision:cycle_create"), _cycle_data(starts_3="2025-06-15"))
    assert "第3阶段须在上一阶段结束之后开始。" in response.content.decode()
    response = client.post(reverse("supervision:cycle_create"), _cycle_data(name="演示周期"))
    assert "已有名为“演示周期”的工作周期。" in response.content.decode()
    assert Cycle.objects.count() == before
