"""Headless Chromium through Playwright, against pytest-django's live server.

Debian's chromium is used (Playwright cannot download its own browser here). One browser per session; each test gets
a fresh context, and `new_page()` opens another one for a second person (their own cookies, so their own session).
On failure every page the test opened is saved as a full-page screenshot in var/test-artifacts/.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a thread unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.factories import PASSWORD  # noqa: E402

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}

expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(request, browser, live_server):
    """Open a page in a new browser context (a separate person); all are closed, and shot on failure, at teardown."""
    contexts = []

    def _new_page(viewport=None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for i, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{i}-{j}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in():
    """Log in through the real login page, as the person would."""

    def _log_in(page, user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.locator('input[name="username"]').fill(user.username)
        page.locator('input[name="password"]').fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.locator(".userbox .who")).to_contain_text(user.username)
        return page

    return _log_in
