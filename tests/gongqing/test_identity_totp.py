"""The optional TOTP second factor (issue 8): enrolment with a QR code and a manual key, login with a 6-digit code
after the password, wrong codes counted towards the account lockout, no replay of a code, recovery by an admin's
audited reset, and TOTP_REQUIRED_ROLES making it mandatory (enrolment forced at the next login)."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from gongqing import totp
from gongqing.models import AuditEvent, User
from gongqing.views.account import ENROL_SECRET
from tests.factories import PASSWORD

LOGIN = reverse("login")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol(user, secret=SECRET):
    user.totp_secret = totp.encrypt(secret)
    user.totp_enabled_at = timezone.now()
    user.save(update_fields=["totp_secret", "totp_enabled_at"])
    return pyotp.TOTP(secret)


def password_step(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def code_step(client, code, next_url=None):
    data = {"step": "totp", "code": code}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolment_shows_a_qr_code_and_the_key_once_and_stores_it_encrypted(client, ganlu_official):
    client.force_login(ganlu_official)
    page = client.get(reverse("totp"))
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    secret = totp.decrypt(client.session[ENROL_SECRET])
    assert totp.grouped(secret) in html
    response = client.post(reverse("totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user = User.objects.get(pk=ganlu_official.pk)
    assert user.has_totp
    assert secret not in user.totp_secret and user.totp_secret.startswith("f1$")
    assert totp.decrypt(user.totp_secret) == secret
    after = client.get(reverse("totp")).content.decode()
    assert totp.grouped(secret) not in after and secret not in after
    assert AuditEvent.objects.filter(action="totp.enrol", username="ganlu", result="ok").count() == 1


def test_a_wrong_enrolment_code_enables_nothing_and_is_audited(client, ganlu_official):
    client.force_login(ganlu_official)
    client.get(reverse("totp"))
    secret = totp.decrypt(client.session[ENROL_SECRET])
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("totp"), {"code": wrong})
    assert response.status_code == 200
    assert "动态验证码不正确" in response.content.decode()
    assert not User.objects.get(pk=ganlu_official.pk).has_totp
    assert AuditEvent.objects.filter(action="totp.enrol", result="failed").count() == 1


def test_login_asks_for_the_code_after_the_password(client, ganlu_official):
    codes = enrol(ganlu_official)
    edit = reverse("schools:list")
    step1 = password_step(client, ganlu_official, next_url=edit)
    assert step1.status_code == 200
    assert "二次验证" in step1.content.decode()
    assert not logged_in(client)
    # Other pages are still closed between the two steps.
    assert client.get(reverse("home")).status_code == 302
    step2 = code_step(client, codes.now(), next_url=edit)
    assert (step2.status_code, step2["Location"]) == (302, edit)
    assert logged_in(client)
    assert AuditEvent.objects.filter(action="login", username="ganlu").count() == 1


def test_a_code_is_accepted_once(client, ganlu_official):
    codes = enrol(ganlu_official)
    with time_machine.travel(timezone.now(), tick=False):
        code = codes.now()
        password_step(client, ganlu_official)
        assert code_step(client, code).status_code == 302
        client.post(reverse("logout"))
        password_step(client, ganlu_official)
        replay = code_step(client, code)
        assert replay.status_code == 200
        assert not logged_in(client)
        assert "已使用过" in replay.content.decode()


def test_wrong_codes_count_towards_the_lockout(client, ganlu_official):
    codes = enrol(ganlu_official)
    with time_machine.travel(timezone.now(), tick=False):
        wrong = f"{(int(codes.now()) + 500_000) % 1_000_000:06d}"
        password_step(client, ganlu_official)
        for _ in range(4):
            assert code_step(client, wrong).status_code == 200
        locked = code_step(client, wrong)
        assert locked.status_code == 302 and locked["Location"].startswith(LOGIN)
        user = User.objects.get(pk=ganlu_official.pk)
        assert user.locked_until is not None
        # Locked: even the password and a right code no longer get in.
        assert "已被锁定" in password_step(client, ganlu_official).content.decode()
        assert not logged_in(client)
    failures = AuditEvent.objects.filter(action="login.failed", username="ganlu")
    assert [e.detail.get("stage") for e in failures] == ["totp"] * 5
    assert AuditEvent.objects.filter(action="account.locked", username="ganlu").count() == 1


def test_the_code_step_expires_after_five_minutes(client, ganlu_official):
    codes = enrol(ganlu_official)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_step(client, ganlu_official)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        response = code_step(client, codes.now())
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
        assert not logged_in(client)


def test_an_admin_resets_a_lost_factor_and_it_is_audited(client, personas, ganlu_official):
    enrol(ganlu_official)
    client.force_login(personas["bureau_admin"])
    assert client.post(reverse("user_totp_reset", kwargs={"pk": ganlu_official.pk})).status_code == 302
    assert not User.objects.get(pk=ganlu_official.pk).has_totp
    event = AuditEvent.objects.get(action="user.totp_reset")
    assert (event.username, event.detail["target"]) == ("admin", "ganlu")
    client.post(reverse("logout"))
    assert password_step(client, ganlu_official).status_code == 302  # password alone again
    assert logged_in(client)


def test_a_user_disables_the_factor_with_a_current_code(client, ganlu_official):
    codes = enrol(ganlu_official)
    client.force_login(ganlu_official)
    assert client.post(reverse("totp"), {"code": codes.now()}).status_code == 302
    assert not User.objects.get(pk=ganlu_official.pk).has_totp
    assert AuditEvent.objects.filter(action="totp.disable", result="ok").count() == 1


def test_required_roles_must_enrol_at_the_next_login_and_cannot_disable(client, personas, settings):
    settings.TOTP_REQUIRED_ROLES = ["bureau_admin"]
    admin = personas["bureau_admin"]
    assert password_step(client, admin).status_code == 302
    assert client.get(reverse("users"))["Location"] == reverse("totp")
    assert "须启用二次验证" in client.get(reverse("totp")).content.decode()
    secret = totp.decrypt(client.session[ENROL_SECRET])
    codes = pyotp.TOTP(secret)
    with time_machine.travel(timezone.now(), tick=False):
        assert client.post(reverse("totp"), {"code": codes.now()}).status_code == 302
    assert client.get(reverse("users")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        client.post(reverse("totp"), {"code": codes.now()})
    assert User.objects.get(pk=admin.pk).has_totp  # not disabled
    # Other roles are not forced.
    client.force_login(personas["bureau_staff"])
    assert client.get(reverse("home")).status_code == 200


def test_a_tampered_secret_is_refused():
    token = totp.encrypt(SECRET)
    raw = bytearray(token.encode())
    raw[-5] = ord("A") if raw[-5] != ord("A") else ord("B")
    with pytest.raises(ImproperlyConfigured):
        totp.decrypt(raw.decode())
    assert totp.encrypt(SECRET) != token  # a fresh nonce each time


def test_a_secret_that_no_longer_decrypts_refuses_the_code_without_an_error(client, ganlu_official):
    codes = enrol(ganlu_official)
    User.objects.filter(pk=ganlu_official.pk).update(totp_secret=totp.encrypt(SECRET)[:-8] + "AAAAAAA=")
    password_step(client, ganlu_official)
    response = code_step(client, codes.now())
    assert response.status_code == 200
    assert not logged_in(client)
