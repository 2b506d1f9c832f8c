"""A township official's to-do list on the home page: returns to fill, returns sent back with the reviewer's comment,
overdue items and measures of their township; its counts are the supervision page's for the same official."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from schools.models import ReturnStatus
from supervision.models import BodyRole, Measure, MeasureBody, RectificationItem
from tests.factories import RoundFactory, SchoolFactory, make_return
from tests.supervision.conftest import body

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2024, 11, 20)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=TZ), tick=False)


def number(html: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}"[^>]*>(\d+)<', html)
    assert match, element_id
    return int(match.group(1))


@pytest.fixture
def township_work(county, official_round, demo_cycle, recompute, ganlu):
    """甘露镇: 甲、乙 approved in the official round, 丁 new and not started; an open interim round where 甲 was sent
    back and 乙 is a draft. 乙's R5 item (led by its township) fell due on 2024-11-01; one measure led by 甘露镇 fell
    due on 2024-11-10, another on 2030-01-01."""
    with at(datetime.date(2024, 10, 15)):
        recompute(official_round)
    item = RectificationItem.objects.get(school=county["B"], code="R5")
    RectificationItem.objects.exclude(pk=item.pk).update(due_date=datetime.date(2030, 1, 1))
    RectificationItem.objects.filter(pk=item.pk).update(due_date=datetime.date(2024, 11, 1))
    new_school = SchoolFactory(code="2136100004", name="丁小学", township=ganlu)
    year = official_round.school_year
    interim = RoundFactory(school_year=year, kind="interim", name="11月自查", due_date=datetime.date(2024, 12, 1))
    make_return(school=county["A"], round=interim, status=ReturnStatus.RETURNED, review_comment="操场面积请附测绘报告")
    make_return(school=county["B"], round=interim)
    make_return(school=county["C"], round=interim)  # 江益镇: not 甘露镇's work
    for ref, due in (("9.1", datetime.date(2024, 11, 10)), ("9.2", datetime.date(2030, 1, 1))):
        measure = Measure.objects.create(cycle=demo_cycle, ref=ref, title=f"措施{ref}", due_date=due)
        MeasureBody.objects.create(measure=measure, body=body("ganlu"), role=BodyRole.LEAD)
    return {"item": item, "interim": interim, "new_school": new_school}


def test_the_home_page_lists_what_waits_for_the_township_official(login, ganlu_official, township_work):
    with at(DAY):
        html = login(ganlu_official).get(reverse("home")).content.decode()
    todo = html.split('id="todo"')[1].split("</section>")[0]
    # To fill: 丁 in the official round (not started); 乙 (draft) and 丁 (not started) in the interim round.
    assert number(todo, "todo-to-fill") == 3
    assert number(todo, "todo-sent-back") == 1
    assert "甲小学" in todo and "操场面积请附测绘报告" in todo
    assert number(todo, "todo-overdue") == 1
    assert township_work["item"].title in todo
    assert number(todo, "todo-overdue-measures") == 1
    assert "丙小学" not in todo


def test_the_home_pages_counts_equal_the_supervision_pages_for_the_same_official(
    login, ganlu_official, jiangyi_official, township_work
):
    for official in (ganlu_official, jiangyi_official):
        with at(DAY):
            client = login(official)
            home = client.get(reverse("home")).content.decode()
            supervision = client.get(reverse("supervision:home")).content.decode()
        assert number(home, "todo-overdue") == number(supervision, "ledger-overdue")
        assert number(home, "todo-overdue-measures") == number(supervision, "ledger-overdue-measures")
    with at(DAY):
        supervision = login(ganlu_official).get(reverse("supervision:home")).content.decode()
    assert (number(supervision, "ledger-overdue"), number(supervision, "ledger-overdue-measures")) == (1, 1)


def test_other_roles_get_no_to_do_list(login, staff, township_work):
    with at(DAY):
        assert 'id="todo"' not in login(staff).get(reverse("home")).content.decode()
