"""Login protection (SECURITY.md row 4): the account locks at the 5th failure for 30 minutes; an address only
waits a growing delay after 20 failures in 15 minutes (township offices share one address); all audited."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from gongqing.models import AuditEvent

LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client, ganlu_official, password):
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            assert attempt(client, "ganlu", "wrong-password").status_code == 200
        response = attempt(client, "ganlu", password)
    assert "_auth_user_id" not in client.session
    assert "已被锁定" in response.content.decode()
    ganlu_official.refresh_from_db()
    assert ganlu_official.locked_until is not None
    assert AuditEvent.objects.filter(action="account.locked", username="ganlu").count() == 1
    assert AuditEvent.objects.filter(action="login.failed", username="ganlu").count() == 5


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client, ganlu_official, password):
    for _ in range(4):
        attempt(client, "ganlu", "wrong-password")
    response = attempt(client, "ganlu", password)
    assert response.status_code == 302
    ganlu_official.refresh_from_db()
    assert (ganlu_official.failed_logins, ganlu_official.locked_until) == (0, None)
    client.post(reverse("logout"))
    for _ in range(4):
        attempt(client, "ganlu", "wrong-password")
    ganlu_official.refresh_from_db()
    assert ganlu_official.locked_until is None  # four since the success, not eight


def test_the_lock_ends_after_thirty_minutes(client, ganlu_official, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, "ganlu", "wrong-password")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert attempt(client, "ganlu", password).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert attempt(client, "ganlu", password).status_code == 302


def test_a_bureau_admin_unlocks_an_account_and_it_is_audited(client, personas, ganlu_official, password):
    for _ in range(5):
        attempt(client, "ganlu", "wrong-password")
    admin = personas["bureau_admin"]
    client.force_login(admin)
    client.post(reverse("user_unlock", args=[ganlu_official.pk]))
    client.post(reverse("logout"))
    assert attempt(client, "ganlu", password).status_code == 302
    assert AuditEvent.objects.filter(action="account.unlock", user=admin).exists()


def test_an_address_with_twenty_failures_waits_a_growing_delay_but_is_never_locked(client, personas, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(20):
            attempt(client, f"nobody{i}", "wrong-password", ip="10.2.2.2")
        refused = attempt(client, "staff", password, ip="10.2.2.2")
        assert "秒后再试" in refused.content.decode()
        other_office = attempt(client, "leader", password, ip="10.3.3.3")
        assert other_office.status_code == 302
    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        assert attempt(client, "staff", password, ip="10.2.2.2").status_code == 302


def test_logins_and_logouts_are_audited_with_the_address(client, ganlu_official, password):
    attempt(client, "ganlu", password, ip="10.9.9.9")
    client.post(reverse("logout"), REMOTE_ADDR="10.9.9.9")
    actions = list(AuditEvent.objects.filter(username="ganlu").values_list("action", "ip"))
    assert ("login", "10.9.9.9") in actions and ("logout", "10.9.9.9") in actions
