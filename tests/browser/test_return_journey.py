"""Browser journeys: a township official fills in a return, bureau staff approve it, and it is locked.

Everything goes through the pages as a person would use them: the login form, links and buttons found by their
visible Chinese text, status badges and messages; assertions wait through Playwright's `expect`.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP
from tests.factories import make_return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# A primary school with six classes of 40 pupils, one per grade.
FIGURES = {
    "小学在校生数": "240",
    "小学班级数": "6",
    "小学专任教师数": "16",
    "小学高于规定学历专任教师数": "14",
    "小学县级及以上骨干教师数": "3",
    "小学体育、艺术专任教师数": "3",
    "小学持有教师资格证专任教师数": "16",
    "教学及辅助用房面积（平方米）": "1800",
    "体育运动场馆面积（平方米）": "2600",
    "教学仪器设备值（元）": "520000",
    "网络多媒体教室数": "6",
    "年度公用经费（元）": "168000",
    "教师培训经费（元）": "8400",
    "学校占地面积（平方米）": "9000",
    "普通教室数": "6",
    "其中“班班通”教室数": "6",
}


def status_badge(page):
    return page.locator("#return-status")


def messages(page):
    return page.locator("ul.messages")


def fill_figures(page, figures):
    for label, value in figures.items():
        page.get_by_label(label, exact=True).fill(value)


def fill_class_row(page, index, *, grade, name, students):
    page.locator(f'select[name="classes-{index}-section"]').select_option("primary")
    page.locator(f'input[name="classes-{index}-grade"]').fill(str(grade))
    page.locator(f'input[name="classes-{index}-name"]').fill(name)
    page.locator(f'input[name="classes-{index}-students"]').fill(str(students))


def add_row(page, prefix):
    total = page.locator(f'input[name="{prefix}-TOTAL_FORMS"]')
    before = int(total.input_value())
    page.locator(f'button.add-row[data-formset="{prefix}"]').click()
    expect(total).to_have_value(str(before + 1))
    expect(page.locator(f'[name="{prefix}-{before}-DELETE"]')).to_be_attached()


def figure_row(page, label):
    return page.locator("table.figures tr").filter(has=page.get_by_label(label, exact=True))


def test_an_official_enters_a_return_that_staff_approve_and_that_is_then_locked(
    new_page, log_in, ganlu_official, staff, ganlu_school, official_round
):
    # 甘露镇's official finds the school and starts the open round's return.
    official = log_in(new_page(), ganlu_official)
    official.get_by_role("navigation").get_by_role("link", name="学校", exact=True).click()
    official.get_by_role("link", name="甘露镇中心小学").click()
    expect(official.get_by_role("heading", level=1)).to_have_text("甘露镇中心小学")
    official.get_by_role("button", name=re.compile(r"^开始填报：")).click()
    expect(official).to_have_url(re.compile(r"/schools/returns/\d+/edit/$"))
    edit_url = official.url
    expect(status_badge(official)).to_have_text("草稿")

    # The figures, six classes (two rows more than the page offers, added with the button) and the two rooms;
    # the sixth class is typed as 38 pupils, so the list adds up to 238, not 240.
    fill_figures(official, FIGURES)
    add_row(official, "classes")
    add_row(official, "classes")
    for i in range(6):
        fill_class_row(official, i, grade=i + 1, name=f"{i + 1}年级1班", students=38 if i == 5 else 40)
    add_row(official, "rooms")
    official.locator('select[name="rooms-0-room"]').select_option("music")
    official.locator('input[name="rooms-0-area_m2"]').fill("96")
    official.locator('select[name="rooms-1-room"]').select_option("art")
    official.locator('input[name="rooms-1-area_m2"]').fill("92")
    official.get_by_role("button", name="保存草稿").click()

    expect(messages(official)).to_contain_text("填报有误，未保存")
    students_row = figure_row(official, "小学在校生数")
    expect(students_row).to_have_class(re.compile(r"\bhas-error\b"))
    expect(students_row.locator(".field-error")).to_have_text(
        "班级名单中小学学生合计238人，与小学在校生数（240）不一致。"
    )
    expect(official.locator("tr.has-error")).to_have_count(1)
    expect(status_badge(official)).to_have_text("草稿")
    expect(official.locator('input[name="classes-5-students"]')).to_have_value("38")

    # Corrected, saved and submitted in one go.
    official.locator('input[name="classes-5-students"]').fill("40")
    official.get_by_role("button", name="保存并提交审核").click()
    expect(official).to_have_url(re.compile(r"/schools/returns/\d+/$"))
    detail_url = official.url
    expect(messages(official)).to_contain_text("已提交，等待教体局审核。")
    expect(status_badge(official)).to_have_text("已提交")
    expect(official.locator("table.figures").first).to_contain_text("240")

    # Bureau staff, in their own browser context, find it in the review queue and approve it.
    reviewer = log_in(new_page(), staff)
    reviewer.get_by_role("navigation").get_by_role("link", name="待审核", exact=True).click()
    queued = reviewer.locator("tbody tr").filter(has_text="甘露镇中心小学")
    expect(queued).to_contain_text("甘露镇")
    queued.get_by_role("link", name="审核", exact=True).click()
    expect(status_badge(reviewer)).to_have_text("已提交")
    reviewer.get_by_role("button", name="审核通过").click()
    expect(messages(reviewer)).to_contain_text("已审核通过，数据已锁定。")
    expect(status_badge(reviewer)).to_have_text("已审核")

    # The official sees it approved, with nothing left to change, and the edit page sends them back.
    official.goto(detail_url)
    expect(status_badge(official)).to_have_text("已审核")
    expect(official.get_by_role("link", name="修改", exact=True)).to_have_count(0)
    expect(official.get_by_role("button", name="提交审核", exact=True)).to_have_count(0)
    official.goto(edit_url)
    expect(official).to_have_url(detail_url)
    expect(messages(official)).to_contain_text("该填报当前不可修改。")
    expect(official.locator("#return-form")).to_have_count(0)


def test_an_official_of_another_township_sees_nothing_of_ganlus_schools(
    page, log_in, jiangyi_official, ganlu_school, jiangyi_school, official_round
):
    log_in(page, jiangyi_official)

    response = page.goto(f"/schools/{ganlu_school.pk}/")
    assert response.status == 404
    expect(page.locator("body")).to_contain_text(re.compile(r"Not Found|未找到|不存在"))
    expect(page.locator("body")).not_to_contain_text("甘露镇中心小学")

    page.goto("/schools/")
    table = page.locator("#school-table")
    expect(table.get_by_role("link", name="江益镇中心小学")).to_be_visible()
    expect(table).not_to_contain_text("甘露镇")
    expect(page.locator("select[name=township] option")).not_to_contain_text(["甘露镇"])


@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="1280"), pytest.param(PHONE, id="390")])
def test_the_return_edit_page_fits_the_screen_without_sideways_scrolling(
    new_page, log_in, viewport, ganlu_official, ganlu_school, official_round
):
    ret = make_return(school=ganlu_school, round=official_round)
    page = log_in(new_page(viewport=viewport), ganlu_official)
    page.goto(f"/schools/returns/{ret.pk}/edit/")
    expect(page.get_by_role("button", name="保存并提交审核")).to_be_visible()
    expect(page.locator('button.add-row[data-formset="classes"]')).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"return-edit-{viewport['width']}.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / f"return-edit-{viewport['width']}-first-screen.png"))

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a {viewport['width']}px screen"
    clipped = page.evaluate(
        "[...document.querySelectorAll('.card')].filter(c => c.querySelector('table.formset'))"
        ".map(c => c.scrollWidth - c.clientWidth)"
    )
    assert clipped and max(clipped) <= 0, f"the row lists scroll sideways inside their cards by {clipped}px"


def test_saving_an_unchanged_draft_leaves_the_blank_rows_alone(
    page, log_in, ganlu_official, ganlu_school, official_round
):
    ret = make_return(school=ganlu_school, round=official_round)
    log_in(page, ganlu_official)
    page.goto(f"/schools/returns/{ret.pk}/edit/")
    page.get_by_role("button", name="保存草稿").click()

    expect(messages(page)).to_be_visible()
    assert "已保存草稿。" in messages(page).inner_text()
    assert ret.rooms.count() == 2
