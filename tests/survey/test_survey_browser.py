"""Browser journey: a phone fills in the public questionnaire, and the bureau's tally moves.

Chromium and its launch flags are those of tests/browser/conftest.py. Its fixtures are not used: a session-wide sync
Playwright defined in another directory's conftest and imported here would be a second fixture of the same name,
and Playwright's sync API cannot start twice in one thread (it fails with "using Playwright Sync API inside the
asyncio loop" whenever tests/browser ran first in the same process). So this journey runs in a thread of its own,
with its own Playwright, whatever else the session has started.
"""

import re
import threading

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@pytest.fixture
def journey(request, live_server):
    """Run `steps(new_page)` in a thread with its own Chromium; on failure its pages go to var/test-artifacts."""

    def run(steps):
        failures: list[BaseException] = []

        def target():
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                contexts = []

                def new_page(viewport=None):
                    context = browser.new_context(
                        base_url=live_server.url, viewport=viewport or DESKTOP, locale="zh-CN"
                    )
                    context.set_default_timeout(TIMEOUT_MS)
                    contexts.append(context)
                    return context.new_page()

                try:
                    steps(new_page)
                except BaseException as exc:  # handed to the test's thread below
                    failures.append(exc)
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    name = re.sub(r"[^\w.-]+", "_", request.node.name)
                    for i, context in enumerate(contexts):
                        for j, page in enumerate(context.pages):
                            page.screenshot(path=str(ARTIFACTS / f"{name}-{i}-{j}.png"), full_page=True)
                finally:
                    browser.close()

        thread = threading.Thread(target=target, name="survey-browser")
        thread.start()
        thread.join(timeout=180)
        assert not thread.is_alive(), "the browser journey did not finish in 180 s"
        if failures:
            raise failures[0]

    return run


def test_a_phone_answers_the_survey_and_the_bureau_sees_the_tally_move(journey, staff, survey):
    detail = f"/survey/{survey.pk}/"
    username = staff.username

    def steps(new_page):
        expect.set_options(timeout=TIMEOUT_MS)
        bureau = new_page()
        bureau.goto("/accounts/login/")
        bureau.locator('input[name="username"]').fill(username)
        bureau.locator('input[name="password"]').fill(PASSWORD)
        bureau.get_by_role("button", name="登录", exact=True).click()
        expect(bureau.locator(".userbox .who")).to_contain_text(username)
        bureau.goto(detail)
        students = bureau.locator('#group-tally tr[data-group="students"] td.online')
        expect(students).to_have_text("0")
        expect(bureau.locator('img[alt="问卷二维码"]')).to_be_visible()
        public_url = bureau.locator("#public-url a").get_attribute("href")

        phone = new_page(viewport=PHONE)
        phone.goto(public_url)
        phone.get_by_role("link", name="我是学生").click()
        questions = phone.locator("fieldset.survey-q")
        expect(questions).to_have_count(6)
        for i in range(6):
            questions.nth(i).get_by_text("满意", exact=True).click()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.get_by_role("button", name="提交问卷").click()
        expect(phone.locator("#survey-done")).to_contain_text("感谢您的参与")

        bureau.reload()
        expect(students).to_have_text("1")

        phone.goto(public_url)
        expect(phone.locator("#survey-answered")).to_contain_text("本设备已提交过")

    journey(steps)
