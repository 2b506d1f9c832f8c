"""Browser journey: a leadership reader opens the county overview, sees its charts drawn, opens a school from the
matrix and finds nothing to change.

The charts need ECharts in static/vendor (npm ci + scripts/vendor-static.sh, both run by scripts/bootstrap.sh): when it
is missing this test fails, it does not skip.
"""

import re

import pytest
from playwright.sync_api import expect

from gongqing.roles import Role
from tests.browser.conftest import ARTIFACTS
from tests.dashboards.test_dashboards import build_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

DRAWN = """el => {
  const canvas = el.querySelector('canvas');
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


def assert_echarts_served(page):
    response = page.request.get("/static/vendor/echarts/echarts.min.js")
    assert response.status == 200, (
        "static/vendor/echarts/echarts.min.js is not served: run scripts/bootstrap.sh (npm ci, then "
        "scripts/vendor-static.sh) before the browser tests"
    )
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.echarts") == "object", "ECharts did not load on the dashboard page"


@pytest.fixture
def county(official_round, ganlu, jiangyi):
    build_county(8, round=official_round, townships=[ganlu, jiangyi])
    return official_round


def test_leadership_sees_the_overview_drawn_and_opens_a_school_with_nothing_to_edit(new_page, log_in, personas, county):
    page = log_in(new_page(), personas[Role.LEADERSHIP])

    # The home page leads with the county overview; its button opens the dashboards.
    expect(page.locator("#home-overview")).to_be_visible()
    page.locator("#home-overview").get_by_role("link", name="打开领导看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("县域总览")
    assert_echarts_served(page)
    expect(page.locator("#data-source")).to_contain_text(str(county))
    expect(page.locator("#county-verdict")).to_contain_text("暂定")

    for key in ("cv-primary", "sections"):
        chart = page.locator(f'.chart[data-chart="chart-data-{key}"]')
        expect(chart).to_have_attribute("data-drawn", "true")
        expect(chart.locator("canvas")).to_have_count(1)
        painted = chart.evaluate(DRAWN)
        assert painted > 500, f"chart {key} has an empty canvas ({painted} painted pixels)"
    # Its numbers are also in a table.
    card = page.locator("#card-cv-primary")
    card.locator("summary").click()
    expect(card.locator("table.data-table tbody tr")).to_have_count(7)

    # Full-screen mode for a projector.
    card.get_by_role("button", name="全屏").click()
    expect(card).to_have_class(re.compile(r"\bis-fullscreen\b"))
    card.get_by_role("button", name="全屏").click()
    expect(card).not_to_have_class(re.compile(r"\bis-fullscreen\b"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview-1280.png"), full_page=True)

    # The matrix, worst first; a click opens the school's page.
    page.locator(".dash-tabs").get_by_role("link", name="学校指标矩阵").click()
    page.locator('select[name="sort"]').select_option("misses")
    expect(page).to_have_url(re.compile(r"sort=misses"))
    first = page.locator("#matrix tbody tr").first
    expect(first.locator("td.heat.not-met").first).to_be_visible()
    first.locator("a.school-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("看板小学00")

    # Nothing to change: no form that posts, no field to type in, no edit link (logging out aside).
    main = page.locator("main")
    expect(main.locator('form[method="post"]')).to_have_count(0)
    expect(main.locator("input:not([type=hidden]), textarea, select")).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile(r"^(修改|编辑|开始填报)"))).to_have_count(0)
    expect(main.get_by_role("button", name=re.compile(r"(修改|编辑|保存|提交|审核)"))).to_have_count(0)


def test_the_overview_fits_a_phone_and_draws_there_too(new_page, log_in, personas, county):
    page = log_in(new_page(viewport=PHONE), personas[Role.LEADERSHIP])
    page.goto("/dashboards/")
    assert_echarts_served(page)
    chart = page.locator('.chart[data-chart="chart-data-cv-primary"]')
    expect(chart).to_have_attribute("data-drawn", "true")
    assert chart.evaluate(DRAWN) > 500
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-overview-390.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the overview is {overflow}px wider than a phone"
