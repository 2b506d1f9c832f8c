"""The bodies' board counts the current cycle only, and the assessment chart shows every scored body."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import (
    Body,
    BodyRole,
    Cycle,
    ItemBody,
    Measure,
    MeasureBody,
    RectificationItem,
    Stage,
    WorkStatus,
)
from tests.dashboards.test_dashboards import county, leader  # noqa: F401  (fixtures)

D = Decimal


def _stage(cycle, ends):
    return Stage.objects.create(cycle=cycle, number=1, name="整改", starts=ends.replace(month=1, day=1), ends=ends)


def _measure(cycle, ref, body, **work):
    m = Measure.objects.create(cycle=cycle, ref=ref, title=f"措施{ref}", **work)
    MeasureBody.objects.create(measure=m, body=body, role=BodyRole.LEAD)
    return m


def _item(key, stage, body):
    item = RectificationItem.objects.create(key=key, kind="manual", title=key, stage=stage)
    ItemBody.objects.create(item=item, body=body, role=BodyRole.LEAD)
    return item


@pytest.fixture
def cycles(finance):
    today = timezone.localdate()
    old = Cycle.objects.create(name="2020—2022年推进周期", read_only=True)
    new = Cycle.objects.create(name="本轮周期", is_current=True)
    old_stage, new_stage = _stage(old, datetime.date(2022, 12, 31)), _stage(new, today.replace(month=12, day=31))
    group = Body.objects.create(code="leading_group", name="领导小组", kind="group")
    for i in range(3):
        _measure(old, f"O{i}", finance)
    _item("manual:old", old_stage, finance)
    _measure(new, "N1", finance)
    _item("manual:new", new_stage, finance)
    _item("manual:unstaged", None, finance)  # no stage: current work
    _measure(
        new,
        "N2",
        group,
        due_date=today,
        work_status=WorkStatus.ACCEPTED,
        accepted_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    return old, new


def test_the_board_counts_the_current_cycle_only_and_names_it(client, leader, cycles):  # noqa: F811
    client.force_login(leader)
    response = client.get(reverse("dashboards:board"))
    rows = {r.name: r for r in response.context["rows"]}
    assert rows["市财政局"].led == 3  # N1, the current item, the unstaged item; not O0–O2 nor the old item
    assert response.context["cycle"] == "本轮周期"
    assert "统计周期：本轮周期" in response.text
    export = client.get(reverse("dashboards:board_export"), {"key": "board"})
    assert export.status_code == 200


def test_the_assessment_chart_scores_departments_but_never_the_leading_group(client, leader, cycles):  # noqa: F811
    """PLAN.md 5.3: the leadership group assesses and is not scored, though it leads N2 (accepted today). 市财政局
    leads N3, due today and accepted on time: 1 × 100% ÷ 1 = 100.0 (its other work has no due date: not scored)."""
    today = timezone.localdate()
    finance = Body.objects.get(code="finance")
    _measure(
        cycles[1],
        "N3",
        finance,
        due_date=today,
        work_status=WorkStatus.ACCEPTED,
        accepted_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    client.force_login(leader)
    response = client.get(reverse("dashboards:board"))
    chart = response.context["charts"]["assessment"]
    assert "领导小组" not in chart.categories
    assert chart.series[0].data[chart.categories.index("市财政局")].value == D("100.0")
    assert {r.name: r.kind for r in response.context["rows"]}["领导小组"] == "group"
