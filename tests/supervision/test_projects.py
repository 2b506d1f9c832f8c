"""Construction projects: saved with their items, mapped to the schools' figures, applied to a what-if of the
ledger's round."""

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from gongqing.roles import Role
from supervision import selectors
from supervision.models import Project, RectificationItem

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


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
