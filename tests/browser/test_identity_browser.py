"""In the browser (static/js/session.js): the idle warning at 25 minutes with "继续使用", the expiry notice at 30, and
a return edited after the session expired coming back into the form after login, saved only when the user saves.

The browser's clock is Playwright's (page.clock), so the real 25 and 30 minutes pass without waiting."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from schools.models import SchoolReturn
from tests.factories import PASSWORD, make_return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_warn_at_25_minutes_and_continue_renews_the_session(new_page, log_in, ganlu_official):
    page = new_page()
    page.clock.install()
    log_in(page, ganlu_official)
    # The user box shows as soon as the HTML is parsed; the deferred session script sets its timers later. Under
    # load, fast-forwarding before it ran would schedule the warning 25 minutes after the jump.
    page.wait_for_load_state("load")
    guard = page.locator("#session-guard")
    expect(guard).to_be_hidden()
    # The page clock also runs in real time: a minute of margin keeps a slow, loaded machine from
    # reaching 25 minutes before the "still hidden" check.
    page.clock.fast_forward("24:00")
    expect(guard).to_be_hidden()
    page.clock.fast_forward("01:10")
    expect(guard).to_be_visible()
    expect(guard.locator('[data-state="warn"]')).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/accounts/keepalive/")) as keepalive:
        guard.get_by_role("button", name="继续使用").click()
    assert keepalive.value.status == 200
    expect(guard).to_be_hidden()
    page.clock.fast_forward("30:10")
    expect(guard.locator('[data-state="expired"]')).to_be_visible()
    expect(guard.get_by_role("link", name="重新登录")).to_be_visible()


def test_a_return_saved_after_expiry_comes_back_into_the_form_after_login(
    new_page,
    log_in,
    ganlu_official,
    official_round,
    ganlu_school,
):
    ret = make_return(school=ganlu_school, round=official_round)
    page = log_in(new_page(), ganlu_official)
    page.goto(f"/schools/returns/{ret.pk}/edit/")
    field = page.locator('input[name="primary_teachers_backbone"]')
    field.fill("7")
    # The server ends the session (as 30 idle minutes would), the browser still shows the form.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已为您暂存")
    assert SchoolReturn.objects.get(pk=ret.pk).primary_teachers_backbone == 5
    # The login page (with `next`) is where the browser is now: log in there.
    page.locator('input[name="username"]').fill(ganlu_official.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/schools/returns/{ret.pk}/edit/$"))
    expect(page.locator("#restored-form")).to_contain_text("没有任何内容被保存")
    expect(page.locator('form[data-restored="true"] input[name="primary_teachers_backbone"]')).to_have_value("7")
    assert SchoolReturn.objects.get(pk=ret.pk).primary_teachers_backbone == 5
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已保存草稿")
    assert SchoolReturn.objects.get(pk=ret.pk).primary_teachers_backbone == 7
