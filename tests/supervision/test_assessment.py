"""The annual assessment (督导考核, measure 5.3) with PLAN.md's default method, on a demo-like year worked by hand.

Assessed on 2027-09-30 (the current year: states as of today). Each piece of work is worth 1 to its lead and 0.5 to
each cooperating body and earns: accepted by the due date 100%, after it 60%; reported done and awaiting acceptance 80%
(reported by the due date) or 40% (after); in progress / not started / sent back 50% before the due date, 0% after;
closed without the work: not counted; no due date: listed, not scored. Score = Σ weight × share ÷ Σ weight.

  I1  due 06-30, done 06-10, accepted 06-20 → accepted on time 100   lead 市教体局, coop 市财政局
  I2  due 06-30, done 07-10, accepted 07-20 → accepted late 60       lead 市财政局, coop 市人社局
  I3  due 09-01, done 08-25, awaiting      → awaiting on time 80     lead 市住建局, coop 茶山街道
  I4  due 06-30, done 08-01, awaiting      → awaiting late 40        lead 市自然资源局, coop 市教体局
  I5  due 12-31, in progress               → not yet due 50          lead 甘露镇, coop 市委编办
  I6  due 06-30, in progress               → overdue 0               lead 市委编办, coop 甘露镇
  I7  due 06-30, closed without the work   → not counted             lead 市发改委
  I8  no due date                          → listed, not scored      lead 江益镇
  I9  due 03-31, sent back                 → overdue 0               lead 市人社局
  I10 due 06-30, within tolerance          → a warning, left out     lead 金湖乡
  I11 due 06-30, accepted on time          → the group is not scored lead 领导小组, coop 领导小组办公室
  I12 due 2026-06-30                       → another year            lead 泽泉乡
  M1  measure 1.2, due 06-30, accepted 06-25 → 100                   lead 市教体局, coop 市财政局, 市人社局, 市发改委
  M2  measure 1.1 (the mechanism, no lead), M3 measure 5.3 (the office's): not scored

  市教体局     I1 1×100 + I4 0.5×40 + M1 1×100 = 220 ÷ 2.5 = 88.0
  市财政局     I1 0.5×100 + I2 1×60 + M1 0.5×100 = 160 ÷ 2 = 80.0
  市人社局     I2 0.5×60 + I9 1×0 + M1 0.5×100 = 80 ÷ 2 = 40.0
  市住建局     I3 1×80 = 80.0;  茶山街道 I3 0.5×80 ÷ 0.5 = 80.0;  市自然资源局 I4 1×40 = 40.0
  甘露镇       I5 1×50 + I6 0.5×0 = 50 ÷ 1.5 = 33.33… → 33.3
  市委编办     I5 0.5×50 + I6 1×0 = 25 ÷ 1.5 = 16.66… → 16.7
  市发改委     I7 not counted; M1 0.5×100 ÷ 0.5 = 100.0
  江益镇, 金湖乡, 泽泉乡, 苏家垱乡: 无考核事项
Ranks: 市发改委 1, 市教体局 2, 市财政局 = 市住建局 = 茶山街道 3, 市人社局 = 市自然资源局 6, 甘露镇 8, 市委编办 9.
"""

import datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongqing.roles import Role
from supervision import assessment, selectors
from supervision.models import Body, Cycle, ItemBody, Measure, MeasureBody, RectificationItem
from tests.factories import BodyFactory, TownshipFactory
from tests.supervision.plan_bodies import DEPARTMENTS, TOWNSHIPS

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2027, 9, 30)
MID_YEAR = datetime.date(2027, 6, 30)


def d(month, day, year=2027):
    return datetime.date(year, month, day)


def at(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=TZ)


@pytest.fixture
def year_of_work(finance):
    for i, (code, name) in enumerate(DEPARTMENTS):
        BodyFactory(code=code, name=name, order=i)
    for i, name in enumerate(TOWNSHIPS):
        BodyFactory(code=f"t{i}", name=name, kind="township", township=TownshipFactory(name=name), order=i)
    BodyFactory(code="leading_group", name="领导小组", kind="group")
    BodyFactory(code="office", name="领导小组办公室", kind="office")
    BodyFactory(code="media", name="新闻媒体", kind="media")
    names = {b.name: b for b in Body.objects.all()}

    def item(key, lead, coop=(), due=MID_YEAR, status="in_progress", done=None, accepted=None, **extra):
        it = RectificationItem.objects.create(
            key=key,
            kind="manual",
            title=key,
            due_date=due,
            work_status=status,
            done_at=at(done) if done else None,
            accepted_at=at(accepted) if accepted else None,
            **extra,
        )
        ItemBody.objects.create(item=it, body=names[lead], role="lead")
        for c in coop:
            ItemBody.objects.create(item=it, body=names[c], role="cooperating")

    item("I1", "市教体局", ["市财政局"], status="accepted", done=d(6, 10), accepted=d(6, 20))
    item("I2", "市财政局", ["市人社局"], status="accepted", done=d(7, 10), accepted=d(7, 20))
    item("I3", "市住建局", ["茶山街道"], due=d(9, 1), status="awaiting_acceptance", done=d(8, 25))
    item("I4", "市自然资源局", ["市教体局"], status="awaiting_acceptance", done=d(8, 1))
    item("I5", "甘露镇", ["市委编办"], due=d(12, 31))
    item("I6", "市委编办", ["甘露镇"])
    item("I7", "市发改委", status="not_started", state="closed", closed_reason="passed_without_rectification")
    item("I8", "江益镇", due=None)
    item("I9", "市人社局", due=d(3, 31), status="sent_back", done=d(3, 1))
    item("I10", "金湖乡", within_tolerance=True)
    item("I11", "领导小组", ["领导小组办公室"], status="accepted", done=d(6, 1), accepted=d(6, 2))
    item("I12", "泽泉乡", due=d(6, 30, 2026))
    cycle = Cycle.objects.create(name="本轮", is_current=True)

    def measure(ref, lead, coop, **extra):
        m = Measure.objects.create(cycle=cycle, ref=ref, title=ref, due_date=d(6, 30), **extra)
        for b in lead:
            MeasureBody.objects.create(measure=m, body=names[b], role="lead")
        for b in coop:
            MeasureBody.objects.create(measure=m, body=names[b], role="cooperating")

    measure(
        "1.2",
        ["市教体局"],
        ["市财政局", "市人社局", "市发改委"],
        work_status="accepted",
        done_at=at(d(6, 20)),
        accepted_at=at(d(6, 25)),
    )
    measure("1.1", [], ["市委办", "市政府办", "市教体局", "市财政局"])
    measure("5.3", ["领导小组办公室"], [])


def test_each_body_scores_as_worked_by_hand(year_of_work):
    rows = selectors.assessment(year=2027, on=TODAY)
    by_name = {r.body.name: r for r in rows}
    expected = {
        "市发改委": (Decimal("100.0"), 1),
        "市教体局": (Decimal("88.0"), 2),
        "市财政局": (Decimal("80.0"), 3),
        "市住建局": (Decimal("80.0"), 3),
        "茶山街道": (Decimal("80.0"), 3),
        "市人社局": (Decimal("40.0"), 6),
        "市自然资源局": (Decimal("40.0"), 6),
        "甘露镇": (Decimal("33.3"), 8),
        "市委编办": (Decimal("16.7"), 9),
    }
    assert {name: (r.score, r.rank) for name, r in by_name.items() if r.score is not None} == expected
    for name in ("江益镇", "金湖乡", "泽泉乡", "苏家垱乡"):
        assert by_name[name].no_work and by_name[name].rank is None
    assert [line.work.title for line in by_name["江益镇"].undated] == ["I8"]
    assert not set(by_name) & {"领导小组", "领导小组办公室", "市委办", "市政府办", "新闻媒体"}
    assert len(rows) == 13  # the six townships and the seven functional departments
    states = {line.work.title: line.state for r in rows for line in r.lines}
    assert states["I7"] == assessment.NOT_COUNTED and states["I3"] == assessment.AWAITING_ON_TIME


def test_states_are_taken_as_of_the_assessment_date(year_of_work):
    """Assessed in 2028, 2027 is taken as of 12-31: I5 is due that day, not yet overdue (甘露镇 still 33.3). Assessed on
    2027-07-01, I2 (done 07-10, accepted 07-20) was still open and overdue: 市财政局 I1 0.5×100 + I2 1×0 + M1 0.5×100
    = 100 ÷ 2 = 50.0; I4 (done 08-01) was open and overdue too: 市自然资源局 0.0."""
    rows = {r.body.name: r for r in selectors.assessment(year=2027, on=datetime.date(2028, 3, 1))}
    assert rows["甘露镇"].score == Decimal("33.3") and rows["市住建局"].score == Decimal("80.0")
    rows = {r.body.name: r for r in selectors.assessment(year=2027, on=datetime.date(2027, 7, 1))}
    assert rows["市财政局"].score == Decimal("50.0")
    assert rows["市自然资源局"].score == Decimal("0.0")


def test_the_method_is_data_and_the_page_and_export_show_it(year_of_work, login, personas, monkeypatch):
    """The bureau halves the worth of cooperation: 市财政局 I1 0.25×100 + I2 1×60 + M1 0.25×100 = 110 ÷ 1.5 = 73.3."""
    method = assessment.AssessmentMethod.objects.get()
    method.cooperating_weight = Decimal("0.25")
    method.save()
    assert {r.body.name: r.score for r in selectors.assessment(year=2027, on=TODAY)}["市财政局"] == Decimal("73.3")
    monkeypatch.setattr(selectors, "today", lambda: TODAY)
    client = login(personas[Role.LEADERSHIP])
    response = client.get(reverse("supervision:assessment"), {"year": 2027})
    assert response.status_code == 200, response
    page = response.content.decode()
    export = client.get(reverse("supervision:assessment_export"), {"year": 2027})
    assert "每项工作对牵头单位计1份、对每个配合单位计0.25份" in page
    assert "无考核事项" in page and "领导小组办公室" not in page.split('id="ranking"')[1].split("</table>")[0]
    assert "2027-06-30" in page and "未设" in page  # due dates shown; undated work listed
    book = load_workbook(BytesIO(export.content))
    cells = [c for row in book["考核结果"].iter_rows(values_only=True) for c in row if c]
    assert any("0.25份" in str(c) for c in cells)
    ranking = {r[1]: r[4] for r in book["考核结果"].iter_rows(min_row=6, values_only=True)}
    assert ranking["江益镇"] == "无考核事项" and ranking["市发改委"] == "100.0"
