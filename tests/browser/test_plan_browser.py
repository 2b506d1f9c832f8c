"""The page "实施方案" in the browser: a department officer opens it from the supervision pages and reads the basis
documents, the goal and the 2022 target, the measures with their bodies and the stages; the bureau opens the annual
assessment from there and sees the method with the ranking."""

import pytest
from playwright.sync_api import expect

from gongqing.roles import Role
from supervision import services
from supervision.models import PlanTarget
from tests.factories import BodyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan_cycle(finance):
    BodyFactory(code="education", name="市教体局")
    BodyFactory(code="party_office", name="市委办")
    # A transactional test's database is flushed between tests: the rows migration 0006 seeds are made here again.
    PlanTarget.objects.get_or_create(code="T2", defaults={"name": "“班班通”覆盖率", "threshold": 1, "unit": "%"})
    cycle = services.cycle_create(name="本轮推进周期", stages=services.published_stage_dates())
    services.cycle_set_current(cycle=cycle)
    services.measures_seed(cycle=cycle)
    return cycle


def test_a_department_officer_reads_the_plan_and_the_bureau_its_assessment(new_page, log_in, personas, plan_cycle):
    page = log_in(new_page(), personas[Role.DEPARTMENT_OFFICER])
    page.goto("/supervision/")
    page.get_by_role("link", name="实施方案", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("实施方案")
    expect(page.locator("#basis")).to_contain_text("赣教督委字〔2018〕6号")
    expect(page.locator("#basis")).to_contain_text("九府办发〔2020〕30号")
    expect(page.locator("#guiding-idea")).to_contain_text("立德树人")
    expect(page.locator("#goal")).to_contain_text("办好每一所学校，促进每一位学生健康成长")
    expect(page.locator("#goal")).to_contain_text("到2022年")
    expect(page.locator("#goal")).to_contain_text("T2")
    # 市财政局's officer sees the measures their body leads or cooperates on, with the bodies.
    measures = page.locator("#measures")
    expect(measures).to_contain_text("3.3")
    expect(measures).to_contain_text("市财政局")
    expect(page.locator("#stages")).to_contain_text("重点攻坚")
    expect(page.locator("#stages")).to_contain_text("2021-12-31")

    bureau = log_in(new_page(), personas[Role.BUREAU_STAFF])
    bureau.goto("/supervision/plan/")
    expect(bureau.locator("#measures")).to_contain_text("党政主导，部门联动，上下发力，统筹推进")
    bureau.get_by_role("link", name="督导考核", exact=True).first.click()
    expect(bureau.locator("#rule")).to_contain_text("每项工作对牵头单位计1份")
    expect(bureau.locator("#ranking")).to_contain_text("市财政局")
    expect(bureau.locator("#ranking")).not_to_contain_text("市委办")
