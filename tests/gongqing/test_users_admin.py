"""User administration by the bureau admin: create with a scope, change a role, disable, reset a password.
A new or reset password is shown once, in the page that made it: never in a message, a cookie or a URL (issue 11)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from gongqing.models import AuditEvent, User
from gongqing.roles import Role
from schools.models import TownshipMembership
from supervision.models import BodyMembership
from tests.factories import UserFactory

SHOWN_PASSWORD = re.compile(r'<code id="new-password">([^<]+)</code>')


@pytest.fixture
def admin(personas):
    return personas[Role.BUREAU_ADMIN]


@pytest.fixture
def clerk(ganlu):
    return UserFactory(username="ganlu_clerk", role=Role.TOWNSHIP_OFFICIAL, township=ganlu, full_name="王芳")


def shown_password(response) -> str:
    """The password as the page that made it shows it (that POST's own response, not a redirect)."""
    assert response.status_code == 200
    found = SHOWN_PASSWORD.search(response.content.decode())
    assert found, "no password on the page"
    return found.group(1)


def test_the_admin_creates_a_township_official_with_their_township(login, admin, ganlu):
    data = {"username": "ganlu_new", "full_name": "李明", "phone": "13800000000", "role": "township_official"}
    response = login(admin).post(reverse("user_create"), {**data, "township": ganlu.pk})
    user = User.objects.get(username="ganlu_new")
    assert user.role == Role.TOWNSHIP_OFFICIAL and user.full_name == "李明"
    assert TownshipMembership.objects.get(user=user).township == ganlu
    password = shown_password(response)
    assert Client().login(username="ganlu_new", password=password)
    event = AuditEvent.objects.get(action="user.create")
    assert event.user == admin and event.object_id == str(user.pk) and event.detail["role"] == "township_official"


def test_an_official_without_a_township_is_refused(login, admin):
    data = {"username": "nowhere", "role": "township_official"}
    response = login(admin).post(reverse("user_create"), data)
    assert response.status_code == 200
    assert "乡镇（街道）填报员须选择所属乡镇（街道）。" in response.content.decode()
    assert not User.objects.filter(username="nowhere").exists()


def test_a_department_officer_needs_a_department(login, admin, finance):
    client = login(admin)
    response = client.post(reverse("user_create"), {"username": "dept", "role": "department_officer"})
    assert "部门联络员须选择所属部门。" in response.content.decode()
    client.post(reverse("user_create"), {"username": "dept", "role": "department_officer", "body": finance.pk})
    assert BodyMembership.objects.get(user__username="dept").body == finance


def test_a_role_change_is_audited_and_drops_the_old_scope(login, admin, clerk):
    data = {"username": clerk.username, "full_name": clerk.full_name, "role": "bureau_staff"}
    response = login(admin).post(reverse("user_edit", args=[clerk.pk]), data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.role == Role.BUREAU_STAFF
    assert not TownshipMembership.objects.filter(user=clerk).exists()
    event = AuditEvent.objects.get(action="user.change")
    assert event.user == admin and event.ip == "10.1.2.3" and event.object_id == str(clerk.pk)
    assert event.detail["old_role"] == "township_official" and event.detail["role"] == "bureau_staff"
    assert "role" in event.detail["fields"]


def test_moving_an_official_to_another_township(login, admin, clerk, jiangyi):
    data = {"username": clerk.username, "role": "township_official", "township": jiangyi.pk}
    login(admin).post(reverse("user_edit", args=[clerk.pk]), data)
    assert TownshipMembership.objects.get(user=clerk).township == jiangyi


def test_a_disabled_user_can_no_longer_log_in_and_their_session_is_refused(login, admin, clerk, password):
    theirs = Client()
    assert theirs.login(username=clerk.username, password=password)
    assert theirs.get(reverse("home")).status_code == 200

    response = login(admin).post(reverse("user_toggle", args=[clerk.pk]))
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.is_active is False
    assert AuditEvent.objects.filter(action="user.disable", object_id=str(clerk.pk), user=admin).exists()

    response = theirs.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert theirs.get(reverse("schools:list")).status_code == 302
    assert not Client().login(username=clerk.username, password=password)
    response = Client().post(reverse("login"), {"username": clerk.username, "password": password})
    assert response.status_code == 200  # the login form again, with an error


def test_a_disabled_user_can_be_enabled_again(login, admin, clerk, password):
    client = login(admin)
    client.post(reverse("user_toggle", args=[clerk.pk]))
    client.post(reverse("user_toggle", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.is_active is True
    assert Client().login(username=clerk.username, password=password)
    assert AuditEvent.objects.filter(action="user.enable").count() == 1


def test_the_admin_cannot_disable_themselves(login, admin):
    response = login(admin).post(reverse("user_toggle", args=[admin.pk]), follow=True)
    admin.refresh_from_db()
    assert admin.is_active is True
    assert "不能停用自己的账号。" in response.content.decode()


def test_a_reset_password_works_and_the_old_one_no_longer_does(login, admin, clerk, password):
    response = login(admin).post(reverse("user_reset", args=[clerk.pk]), REMOTE_ADDR="10.1.2.3")
    new_password = shown_password(response)
    assert new_password != password
    assert Client().login(username=clerk.username, password=new_password)
    assert not Client().login(username=clerk.username, password=password)
    event = AuditEvent.objects.get(action="user.reset_password")
    assert event.user == admin and event.ip == "10.1.2.3"
    assert new_password not in str(event.detail)


@pytest.mark.parametrize("how", ["reset", "create"])
def test_a_new_password_is_shown_once_on_its_page_and_never_in_a_cookie_a_message_or_a_url(how, login, admin, clerk):
    """Finding 5: the reset password travelled in the signed (not encrypted) `messages` cookie."""
    client = login(admin)
    if how == "reset":
        response = client.post(reverse("user_reset", args=[clerk.pk]))
    else:
        response = client.post(reverse("user_create"), {"username": "newcomer", "role": "bureau_staff"})
    password = shown_password(response)
    assert "Location" not in response
    assert "messages" not in response.cookies
    assert all(password not in morsel.value for morsel in response.cookies.values())
    assert not [str(m) for m in get_messages(response.wsgi_request)]
    assert password not in repr(SessionStore(client.session.session_key).load())
    following = client.get(reverse("users"))
    assert password not in following.content.decode()
    assert "messages" not in following.cookies


def test_messages_live_in_the_session_not_in_a_cookie(login, admin, clerk):
    client = login(admin)
    response = client.post(reverse("user_toggle", args=[clerk.pk]))
    assert response.status_code == 302 and "messages" not in response.cookies
    assert "已停用 王芳。" in client.get(reverse("users")).content.decode()


def test_the_user_list_shows_each_user_with_role_scope_and_state(
    login, admin, clerk, finance, django_assert_max_num_queries
):
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    for i in range(10):
        UserFactory(username=f"dept{i}", role=Role.DEPARTMENT_OFFICER, body=finance)
    client = login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("users"))
    page = response.content.decode()
    row = page[page.index(">ganlu_clerk<") :].split("</tr>")[0]
    assert "王芳" in row and "乡镇（街道）填报员" in row and "甘露镇" in row and "已停用" in row
    assert "市财政局" in page


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.LEADERSHIP, Role.AUDITOR])
def test_nobody_but_the_admin_manages_users(role, login, personas, clerk):
    client = login(personas[role])
    assert client.post(reverse("user_toggle", args=[clerk.pk])).status_code == 403
    assert client.post(reverse("user_reset", args=[clerk.pk])).status_code == 403
    assert (
        client.post(reverse("user_edit", args=[clerk.pk]), {"username": "x", "role": "bureau_admin"}).status_code == 403
    )
    clerk.refresh_from_db()
    assert clerk.is_active and clerk.role == Role.TOWNSHIP_OFFICIAL and clerk.username == "ganlu_clerk"
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()
