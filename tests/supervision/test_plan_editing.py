"""The bureau edits the plan: measures (wording, bodies, due dates, refs unique in a cycle, archived cycles
read-only), new cycles with their stages, edit forms that keep their dates, a history that says what changed."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision import services
from supervision.models import Cycle, Measure, Project

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


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


def test_the_history_says_what_changed_in_chinese(ledger, login, staff):
    b = ledger["B"]
    old_due = b.due_date
    services.item_schedule(item=b, stage=b.stage, due_date=datetime.date(2025, 2, 1), target=b.target, by=staff)
    page = login(staff).get(reverse("supervision:item", kwargs={"pk": b.pk})).content.decode()
    assert f"完成时限：{old_due.isoformat()} → 2025-02-01" in page
    assert "新建" in page
    assert "ledger sync" not in page


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
