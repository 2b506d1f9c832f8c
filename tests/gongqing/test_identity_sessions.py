"""Sessions (SECURITY.md row 5): idle 31 minutes ends the session; a cookie replayed after logout or after the user was
disabled is refused; a form posted after expiry is kept and given back after login, with nothing saved until the
user confirms. And (issue 8) the auditor reads the audit log and nothing else."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from gongqing.middleware import FORM_STASH
from gongqing.models import AuditEvent
from schools.models import SchoolReturn
from tests.access.table_core import ROUTES as CORE_TABLE
from tests.access.test_route_roles import TABLE
from tests.factories import PASSWORD, make_return
from tests.schools.postdata import current_form_data

LOGIN = reverse("login")


def log_in(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def goes_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def restored_data(response) -> dict | None:
    match = re.search(
        r'<script id="restored-form-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1)) if match else None


# --- idle timeout ---


def test_the_session_ends_after_30_idle_minutes_and_activity_renews_it(client, ganlu_official):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, ganlu_official)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):  # 29 minutes after the last request
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):  # 31 minutes after the last request
        assert goes_to_login(client.get(reverse("home")))
        assert goes_to_login(client.get(reverse("schools:list")))


def test_the_keepalive_renews_the_session(client, ganlu_official):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, ganlu_official)
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        response = client.post(reverse("keepalive"))
        assert response.json() == {"ok": True, "idle_seconds": 1800}
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        assert client.get(reverse("home")).status_code == 200


def test_the_keepalive_of_an_expired_session_goes_to_login(client, ganlu_official):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, ganlu_official)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert goes_to_login(client.post(reverse("keepalive")))


def test_pages_carry_the_idle_timings_for_the_warning_without_inline_script(client, ganlu_official):
    log_in(client, ganlu_official)
    html = client.get(reverse("home")).content.decode()
    assert 'data-idle-seconds="1800"' in html
    assert 'data-warn-seconds="1500"' in html  # the warning at 25 minutes
    assert f'data-keepalive-url="{reverse("keepalive")}"' in html
    assert "js/session.js" in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


# --- replayed cookies ---


def test_a_cookie_replayed_after_logout_is_refused(client, ganlu_official, official_round, ganlu_school):
    ret = make_return(school=ganlu_school, round=official_round)
    log_in(client, ganlu_official)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert goes_to_login(client.get(reverse("home")))
    edit = reverse("schools:return_edit", kwargs={"pk": ret.pk})
    assert goes_to_login(client.post(edit, current_form_data(ret, primary_teachers_backbone=6)))
    ret.refresh_from_db()
    assert ret.primary_teachers_backbone == 5
    # A deliberate logout deleted the session: nothing is kept for restoring either.
    assert FORM_STASH not in client.session


def test_a_cookie_of_a_user_disabled_meanwhile_is_refused(client, ganlu_official, official_round, ganlu_school):
    ret = make_return(school=ganlu_school, round=official_round)
    log_in(client, ganlu_official)
    assert client.get(reverse("home")).status_code == 200
    ganlu_official.is_active = False
    ganlu_official.save(update_fields=["is_active"])
    assert goes_to_login(client.get(reverse("home")))
    edit = reverse("schools:return_edit", kwargs={"pk": ret.pk})
    assert goes_to_login(client.post(edit, current_form_data(ret, primary_teachers_backbone=6)))
    ret.refresh_from_db()
    assert ret.primary_teachers_backbone == 5
    # Nor can the disabled user log in again to pick the form up.
    assert client.post(LOGIN, {"username": "ganlu", "password": PASSWORD}).status_code == 200


# --- a form posted after expiry ---


@pytest.fixture
def expired_post(client, ganlu_official, official_round, ganlu_school):
    """甘露镇's official opens the return, leaves for 31 minutes, then saves 6 backbone teachers (was 5)."""
    ret = make_return(school=ganlu_school, round=official_round)
    edit = reverse("schools:return_edit", kwargs={"pk": ret.pk})
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, ganlu_official)
        assert client.get(edit).status_code == 200
        data = current_form_data(ret, primary_teachers_backbone=6)
    traveller = time_machine.travel(start + timedelta(minutes=31), tick=False)
    traveller.start()
    response = client.post(edit, {**data, "new_password1": "Kx7#pL2qRt"})
    yield ret, edit, data, response
    traveller.stop()


def test_the_form_posted_after_expiry_is_kept_and_nothing_is_saved(expired_post, client):
    ret, edit, _data, response = expired_post
    assert goes_to_login(response)
    assert response["Location"] == f"{LOGIN}?next={edit}"
    saved = SchoolReturn.objects.get(pk=ret.pk)
    assert (saved.primary_teachers_backbone, saved.version) == (5, ret.version)
    stash = client.session[FORM_STASH]
    assert stash["path"] == edit
    assert stash["data"]["primary_teachers_backbone"] == ["6"]
    # Never kept: passwords and the CSRF token.
    assert not [name for name in stash["data"] if "password" in name or "csrf" in name]
    assert AuditEvent.objects.filter(action="session.form_kept", username="ganlu").count() == 1


def test_after_login_the_page_shows_the_kept_input_and_saves_only_on_confirmation(expired_post, client, ganlu_official):
    ret, edit, data, _response = expired_post
    assert log_in(client, ganlu_official, next_url=edit)["Location"] == edit
    page = client.get(edit)
    restored = restored_data(page)
    assert restored["primary_teachers_backbone"] == ["6"]
    assert restored["version"] == [str(ret.version)]
    assert "new_password1" not in restored
    html = page.content.decode()
    assert "恢复提交" in html
    assert 'name="primary_teachers_backbone" value="6"' in html  # the fallback form's hidden copy
    assert SchoolReturn.objects.get(pk=ret.pk).primary_teachers_backbone == 5  # nothing saved yet
    # Given back once: a reload shows the stored return.
    assert restored_data(client.get(edit)) is None
    # The user confirms: the kept input is posted as it was, and saved.
    confirm = client.post(edit, {name: values for name, values in restored.items()})
    assert confirm.status_code == 302
    assert SchoolReturn.objects.get(pk=ret.pk).primary_teachers_backbone == 6


def test_another_user_logging_in_on_that_browser_does_not_get_the_kept_input(expired_post, client, personas):
    _ret, edit, _data, _response = expired_post
    log_in(client, personas["bureau_staff"], next_url=edit)
    assert restored_data(client.get(edit)) is None
    assert FORM_STASH not in client.session


def test_a_kept_form_over_64_kb_is_refused_with_a_message(client, ganlu_official, official_round, ganlu_school):
    ret = make_return(school=ganlu_school, round=official_round)
    edit = reverse("schools:return_edit", kwargs={"pk": ret.pk})
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, ganlu_official)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post(edit, {**current_form_data(ret), "remark": "长" * 70_000})
        assert goes_to_login(response)
        assert FORM_STASH not in client.session
        messages = [str(m) for m in response.wsgi_request._messages]
        assert any("未能暂存" in m for m in messages)


# --- the auditor ---

# Routes every account has (its own session, password, second factor, notices, the home page), and the API's
# description (no data); the public survey is open to anyone.
ACCOUNT_SHELL = {
    "home",
    "login",
    "logout",
    "keepalive",
    "password_change",
    "password_change_done",
    "totp",
    "notices",
    "notice_read",
    "healthz",
    "api:docs",
    "api:schema",
}
PUBLIC = {"survey:public", "survey:public_form", "survey:public_done"}
AUDIT_LOG = {"audit_log", "audit_log_export"}  # the log and its .xlsx export (issue 11)


def auditor_routes(table) -> set[str]:
    return {name for name, entry in table.items() if "auditor" in entry["GET"] | entry["POST"]}


def test_the_core_table_lets_the_auditor_read_the_audit_log_and_nothing_else():
    assert auditor_routes(CORE_TABLE) - ACCOUNT_SHELL - PUBLIC == AUDIT_LOG


def test_no_table_lets_the_auditor_read_anything_but_the_audit_log():
    """Every route of the portal (all tables/test_route_roles walks): issue 8 says the auditor reads the audit log and
    nothing else, so no app may list the auditor among its readers."""
    assert auditor_routes(TABLE) - ACCOUNT_SHELL - PUBLIC == AUDIT_LOG


def test_the_auditors_home_page_shows_no_school_data(client, personas, ganlu_school):
    client.force_login(personas["auditor"])
    html = client.get(reverse("home")).content.decode()
    assert ganlu_school.name not in html
    assert reverse("audit_log") in html or client.get(reverse("audit_log")).status_code == 200
