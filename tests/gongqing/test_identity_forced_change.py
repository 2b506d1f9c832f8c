"""Forced password change (SECURITY.md row 6): first login of a user created by an admin, after an admin's reset, and
(test_identity_passwords) after 90 days. Every page sends the user to the change page; logout and static files stay
reachable; API tokens are not affected."""

import re

from django.urls import reverse

from gongqing.models import AuditEvent, User
from gongqing.roles import Role
from schools.demo import USERS, Tally, _seed_users
from tests.factories import PASSWORD, UserFactory

NEW = "Kx7#pL2qRt"


def change(client, old, new=NEW):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def shown_password(response) -> str:
    """Shown once in the page that made it (tests/gongqing/test_users_admin.py: never in a message or cookie)."""
    return re.search(r'<code id="new-password">([^<]+)</code>', response.content.decode()).group(1)


def test_factory_users_are_not_forced(client, personas):
    for user in personas.values():
        assert user.must_change_password is False
        assert user.password_changed_at is not None
    client.force_login(personas["ganlu_official"])
    assert client.get(reverse("home")).status_code == 200


def test_a_user_flagged_must_change_is_sent_to_the_change_page_from_every_page(client, ganlu):
    user = UserFactory(username="ganlu2", role=Role.TOWNSHIP_OFFICIAL, township=ganlu, must_change_password=True)
    client.force_login(user)
    for name in ("home", "schools:list", "notices", "schools:rounds"):
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"]) == (302, reverse("password_change")), name
    assert client.post(reverse("schools:list")).status_code == 302
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "管理员设置或重置" in page.content.decode()
    # Static files and the keepalive still answer; logging out works.
    assert client.get(reverse("keepalive")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_changing_the_password_lifts_the_block_and_is_audited(client, ganlu):
    user = UserFactory(username="ganlu2", role=Role.TOWNSHIP_OFFICIAL, township=ganlu, must_change_password=True)
    client.force_login(user)
    assert change(client, PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    user.refresh_from_db()
    assert user.must_change_password is False
    event = AuditEvent.objects.get(action="password.change")
    assert (event.username, event.detail["forced"]) == ("ganlu2", "admin")


def test_a_user_created_by_an_admin_must_change_at_first_login(client, personas):
    client.force_login(personas["bureau_admin"])
    response = client.post(
        reverse("user_create"), {"username": "newcomer", "full_name": "新同事", "role": "bureau_staff"}
    )
    assert response.status_code == 200
    initial = shown_password(response)
    user = User.objects.get(username="newcomer")
    assert user.must_change_password is True
    client.post(reverse("logout"))
    login = client.post(reverse("login"), {"username": "newcomer", "password": initial})
    assert login.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    assert change(client, initial).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_an_admin_reset_forces_a_change_at_the_next_request(client, personas):
    official = personas["ganlu_official"]
    client.force_login(personas["bureau_admin"])
    response = client.post(reverse("user_reset", kwargs={"pk": official.pk}))
    new_password = shown_password(response)
    official.refresh_from_db()
    assert official.must_change_password is True
    assert official.check_password(new_password)
    client.force_login(official)
    assert client.get(reverse("schools:list"))["Location"] == reverse("password_change")


def test_api_tokens_of_a_user_who_must_change_keep_working(client, personas):
    from rest_framework.test import APIClient

    from gongqing.api.auth import token_create

    api_user = personas["api_client"]
    User.objects.filter(pk=api_user.pk).update(must_change_password=True)
    _token, raw = token_create(user=api_user, name="九江接口", scopes=["read"], days=30)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/schools/").status_code == 200
    # The same user's browser session is held to the change page, the API through a session refused.
    client.force_login(User.objects.get(pk=api_user.pk))
    assert client.get("/api/v1/schools/").status_code == 403


def test_the_demo_users_are_not_forced_to_change(db):
    """schools.demo._seed_users is the step of seed_demo that creates the demo accounts."""
    users = _seed_users(Tally(), _demo_townships())
    assert set(users) == {d.username for d in USERS}
    assert not User.objects.filter(username__in=users, must_change_password=True).exists()
    assert not User.objects.filter(username__in=users, password_changed_at__isnull=True).exists()


def _demo_townships():
    from schools.demo import GANLU, JIANGYI
    from supervision.models import Body
    from tests.factories import TownshipFactory

    Body.objects.get_or_create(code="finance", defaults={"name": "市财政局", "kind": "department"})
    return {GANLU: TownshipFactory(name="甘露镇", code=GANLU), JIANGYI: TownshipFactory(name="江益镇", code=JIANGYI)}
