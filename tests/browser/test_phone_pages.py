"""The township official's pages at 390 px: no table cell squeezed to a character a line, wide tables scroll in their
own box (the page itself never scrolls sideways)."""

import datetime

import pytest
from playwright.sync_api import expect

from gongqing.models import Notice
from schools.models import ReturnStatus
from supervision.models import BodyRole, ItemBody, Measure, MeasureBody, RectificationItem
from tests.browser.conftest import ARTIFACTS
from tests.factories import SchoolFactory, make_return
from tests.supervision.conftest import bodies, demo_cycle  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Cells with text whose content box is narrower than two characters of their own font.
NARROW_CELLS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const text = cell.innerText.trim();
    if (!text || cell.getClientRects().length === 0) continue;
    const style = getComputedStyle(cell);
    const width = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const em = parseFloat(style.fontSize);
    if (width < 2 * em - 0.5) out.push(`${cell.tagName} "${text.slice(0, 16)}" ${width.toFixed(1)}px < ${2 * em}px`);
  }
  return out;
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def township_pages(ganlu, ganlu_school, ganlu_official, official_round, bodies, demo_cycle):  # noqa: F811
    """What 甘露镇's official works with: a round with returns in every state, ledger items and a measure of the
    township with long titles, and notices."""
    approved = make_return(school=ganlu_school, round=official_round, status=ReturnStatus.APPROVED)
    second = SchoolFactory(code="2136000011", name="甘露镇第二中心小学（原甘露镇西湖村完全小学）", township=ganlu)
    make_return(
        school=second,
        round=official_round,
        status=ReturnStatus.RETURNED,
        review_comment="体育运动场馆面积与上一学年相差较大，请核实并附测绘报告后重新提交。",
    )
    make_return(school=SchoolFactory(code="2136000012", name="甘露镇杨桥小学", township=ganlu), round=official_round)
    SchoolFactory(code="2136000013", name="甘露镇教学点", township=ganlu)
    township_body = bodies["ganlu"]
    for i, school in enumerate((ganlu_school, second)):
        item = RectificationItem.objects.create(
            key=f"school:{school.pk}:primary:R5",
            kind="school",
            school=school,
            section="primary",
            code="R5",
            title=f"{school.name}小学生均体育运动场馆面积未达标，需新建或改扩建运动场{i + 1}处",
            target="生均体育运动场馆面积达到7.5平方米",
            due_date=datetime.date(2024, 11, 1),
            stage=demo_cycle.stages.order_by("number")[2],
        )
        ItemBody.objects.create(item=item, body=township_body, role=BodyRole.LEAD)
    measure = Measure.objects.create(
        cycle=demo_cycle,
        ref="3.2",
        title="统筹推进城乡学校共同体建设，完善乡镇中心学校对村小和教学点的管理与指导",
        due_date=datetime.date(2024, 12, 31),
        stage=demo_cycle.stages.order_by("number")[2],
    )
    MeasureBody.objects.create(measure=measure, body=township_body, role=BodyRole.LEAD)
    Notice.objects.create(
        user=ganlu_official,
        text="2024—2025学年 正式批次的学校数据填报已逾期 5 天（截止日期2024-10-15），请尽快完成。",
        link=f"/schools/rounds/{official_round.pk}/",
    )
    return {"approved": approved}


def test_the_township_officials_pages_fit_a_phone(new_page, log_in, ganlu_official, official_round, township_pages):
    page = log_in(new_page(viewport=PHONE), ganlu_official)
    paths = [
        "/",
        f"/schools/rounds/{official_round.pk}/",
        f"/schools/returns/{township_pages['approved'].pk}/",
        "/schools/exchange/",
        f"/schools/exchange/rounds/{official_round.pk}/",
        "/supervision/",
        "/supervision/ledger/",
        "/supervision/measures/",
        "/notices/",
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for path in paths:
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()
        name = path.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(ARTIFACTS / f"phone-390-{name}.png"), full_page=True)
        narrow = page.evaluate(NARROW_CELLS)
        overflow = page.evaluate(OVERFLOW)
        if narrow or overflow > 0:
            problems[path] = {"narrow cells": narrow[:8], "page wider than the screen by": overflow}
    assert not problems, "\n".join(f"{p}: {v}" for p, v in problems.items())
