"""Reminders to fill a round: one per township and round within a day, worded for a round already overdue."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from gongqing.models import AuditEvent, Notice

TZ = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=TZ), tick=False)


def remind(login, user, rnd, township):
    client = login(user)  # signed in afresh at each travelled time, past the idle timeout
    return client.post(reverse("schools:round_remind", args=[rnd.pk, township.pk]), follow=True)


def test_a_second_reminder_within_a_day_is_not_sent_and_the_board_says_when_the_last_went(
    login, staff, ganlu, ganlu_official, ganlu_school, official_round
):
    with at(datetime.date(2024, 10, 10), 9):
        remind(login, staff, official_round, ganlu)
    with at(datetime.date(2024, 10, 11), 8):  # 23 hours later
        response = remind(login, staff, official_round, ganlu)
        html = response.content.decode()
        assert "甘露镇已于2024-10-10 09:00提醒过，一天内不再重复提醒。" in html
        assert "上次提醒 10-10 09:00" in html
        assert reverse("schools:round_remind", args=[official_round.pk, ganlu.pk]) not in html
    assert Notice.objects.filter(user=ganlu_official).count() == 1
    assert AuditEvent.objects.filter(action="round.remind").count() == 1
    with at(datetime.date(2024, 10, 11), 9):  # a day after the first: the button is back and the reminder goes
        html = login(staff).get(reverse("schools:round_board", args=[official_round.pk])).content.decode()
        assert reverse("schools:round_remind", args=[official_round.pk, ganlu.pk]) in html
        remind(login, staff, official_round, ganlu)
    assert Notice.objects.filter(user=ganlu_official).count() == 2


def test_a_reminder_to_another_township_or_round_is_not_held_back(
    login, staff, ganlu, jiangyi, ganlu_official, jiangyi_official, ganlu_school, jiangyi_school, official_round
):
    with at(datetime.date(2024, 10, 10), 9):
        remind(login, staff, official_round, ganlu)
        remind(login, staff, official_round, jiangyi)
    assert Notice.objects.filter(user=jiangyi_official).count() == 1


def test_a_reminder_before_the_due_date_asks_to_finish_by_it(login, staff, ganlu, ganlu_official, official_round):
    with at(datetime.date(2024, 10, 12), 9):
        remind(login, staff, official_round, ganlu)
    assert Notice.objects.get(user=ganlu_official).text == "请于2024-10-15前完成2024—2025学年 正式批次的学校数据填报。"


def test_an_overdue_reminder_says_how_many_days_instead_of_a_past_date(
    login, staff, ganlu, ganlu_official, official_round
):
    # Due 2024-10-15; on 2024-10-20 the round is 5 days overdue.
    with at(datetime.date(2024, 10, 20), 9):
        remind(login, staff, official_round, ganlu)
    text = Notice.objects.get(user=ganlu_official).text
    assert "已逾期 5 天" in text
    assert "请于" not in text
