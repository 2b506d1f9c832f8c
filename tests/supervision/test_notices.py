"""The daily overdue job, with frozen time: owners are told once per missed due date, the leadership group's office
once more after 30 days; a finished cycle raises nothing; the beat schedule runs the task."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from gongqing.models import Notice
from gongqing.roles import Role
from supervision import services, tasks
from supervision.models import Cycle, RectificationItem, Stage
from tests.factories import UserFactory
from tests.supervision.conftest import body

TZ = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=TZ), tick=False)


@pytest.fixture
def overdue_setup(county, official_round, demo_cycle, recompute, personas, r5_routed_to_natural_resources):
    with at(datetime.date(2024, 10, 15)):
        recompute(official_round)
    item = RectificationItem.objects.get(school=county["B"], code="R5")
    RectificationItem.objects.exclude(pk=item.pk).update(due_date=datetime.date(2030, 1, 1))
    officer = UserFactory(username="ziranziyuan", role=Role.DEPARTMENT_OFFICER, body=body("natural_resources"))
    return item, officer


def test_nothing_is_sent_before_the_due_date(overdue_setup):
    item, officer = overdue_setup
    with at(item.due_date):
        assert tasks.send_overdue_notices.delay().get()["notices"] == 0
    assert not Notice.objects.exists()


def test_the_lead_bodys_people_are_told_once_when_an_item_becomes_overdue(overdue_setup):
    item, officer = overdue_setup
    day_after = item.due_date + datetime.timedelta(days=1)
    with at(day_after):
        tasks.send_overdue_notices.delay()
        tasks.send_overdue_notices.delay()  # a second run the same day adds nothing
    with at(day_after + datetime.timedelta(days=1)):
        tasks.send_overdue_notices.delay()  # nor the next day: once per missed due date
    notices = Notice.objects.filter(user=officer)
    assert notices.count() == 1
    assert "逾期1天" in notices.get().text and notices.get().link.endswith(f"/ledger/{item.pk}/")
    # Only the lead body: 甘露镇's official (a cooperating body) and bureau staff are not told yet.
    assert not Notice.objects.exclude(user=officer).exists()


def test_the_leadership_groups_office_is_told_after_thirty_days(overdue_setup, staff):
    item, officer = overdue_setup
    with at(item.due_date + datetime.timedelta(days=30)):
        tasks.send_overdue_notices.delay()
    assert not Notice.objects.filter(user=staff).exists()
    with at(item.due_date + datetime.timedelta(days=31)):
        tasks.send_overdue_notices.delay()
        tasks.send_overdue_notices.delay()
    escalated = Notice.objects.filter(user=staff)
    assert escalated.count() == 1 and "领导小组办公室" in escalated.get().text
    assert not Notice.objects.filter(user__role=Role.LEADERSHIP).exists()


def test_a_new_due_date_missed_again_is_told_again(overdue_setup, staff):
    item, officer = overdue_setup
    with at(item.due_date + datetime.timedelta(days=1)):
        services.overdue_notices_send()
    new_due = item.due_date + datetime.timedelta(days=10)
    services.item_schedule(item=item, stage=item.stage, due_date=new_due, target=item.target, by=staff)
    with at(new_due + datetime.timedelta(days=1)):
        services.overdue_notices_send()
    assert Notice.objects.filter(user=officer).count() == 2


def test_accepted_work_is_not_overdue(overdue_setup, staff):
    item, officer = overdue_setup
    services.work_done(obj=item, by=officer)
    services.work_review(obj=item, by=staff, accept=True)
    with at(item.due_date + datetime.timedelta(days=40)):
        assert services.overdue_notices_send()["overdue"] == 0


def test_a_finished_cycle_raises_no_overdue_notices(overdue_setup):
    item, officer = overdue_setup
    last = Stage.objects.filter(cycle=item.stage.cycle).order_by("-number").first()
    with at(last.ends + datetime.timedelta(days=1)):
        assert services.overdue_notices_send() == {"overdue": 0, "escalated": 0, "notices": 0}
    assert not Notice.objects.exists()


def test_a_read_only_cycle_counts_as_finished(overdue_setup):
    item, officer = overdue_setup
    Cycle.objects.filter(pk=item.stage.cycle_id).update(read_only=True)
    with at(item.due_date + datetime.timedelta(days=5)):
        assert services.overdue_notices_send()["overdue"] == 0


def test_the_beat_schedule_runs_the_notice_task_daily():
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "supervision.tasks.send_overdue_notices"
    ]
    assert len(entries) == 1
