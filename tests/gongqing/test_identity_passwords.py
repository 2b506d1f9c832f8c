"""Password rules (SECURITY.md row 6): a weak corpus all refused and a strong corpus all accepted, through the real
password-change page; a password older than 90 days forces a change."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongqing.models import AuditEvent
from gongqing.passwords import pattern_share
from tests.factories import PASSWORD

# The user of these tests is 甘露镇's official, username "ganlu". Each entry: the password and why it is weak.
WEAK = [
    ("Ab1!x", "shorter than 8"),
    ("Ab1!xyz", "7 characters"),
    ("abcdefgh", "one class"),
    ("qpwmvnxz", "one class"),
    ("12345678", "one class, digits only"),
    ("87215934", "digits only"),
    ("Password", "two classes"),
    ("password1", "two classes, common"),
    ("PASSWORD1", "two classes"),
    ("mvqkzpwt7", "two classes"),
    ("Zkqvmwpt", "two classes"),
    ("#$%&*!@^", "one class"),
    ("Passw0rd", "common word in leet"),
    ("P@ssw0rd", "common word in leet"),
    ("P@ssw0rd2024", "common word in leet plus a year"),
    ("Admin@123", "common word plus digits"),
    ("Admin123!", "common word plus digits"),
    ("Administrator1!", "common word plus digits"),
    ("Aa123456", "a digit run"),
    ("Aa123456!", "a digit run"),
    ("Abc@12345", "letter and digit runs"),
    ("Abcd1234", "runs"),
    ("Qwer1234", "keyboard row and digit run"),
    ("Qwerty!234", "keyboard row"),
    ("1qaz@WSX", "keyboard columns"),
    ("1qaz2WSX!", "keyboard columns"),
    ("Asdf!234", "keyboard row"),
    ("Aaaa1111!", "repeated characters"),
    ("Zzzz9999#", "repeated characters"),
    ("Qq123456", "common Chinese habit"),
    ("Woaini1314", "common pinyin phrase"),
    ("Woaini520!", "common pinyin phrase"),
    ("Iloveyou1!", "common phrase"),
    ("Welcome1!", "common word"),
    ("Letmein#2024", "common word"),
    ("Gongqing@2024", "the city's name"),
    ("Jiaoyuju#2025", "the bureau's name"),
    ("Ganlu@2024", "contains the username"),
    ("GANLU#77x", "contains the username"),
    ("ulnag#Rx72", "contains the username backwards"),
]

STRONG = [
    "Kx7#pL2qRt",
    "m9V!cW4zEh",
    "Jx4$Wq8!nZ",
    "7Gh!t2Lm#pR",
    "Sun4Moon#Tide",
    "Qz8&Lp3!Vr",
    "pA9$hK2@wN",
    "Mx3!Nc7$Kz",
    "Blue#Horse7River",
    "Rain-Over-Lushan-26",
    "tHe8Wind*Blows",
    "Xq2%Bv9^Jm",
    "Hv6)Tr4(Nw",
    "8dQ!fT3wXk",
    "Lake.Poyang.1974",
    "Pm7+Ry5=Ws",
    "Cz4?Hn8;Qd",
    "Gt9_Wf2~Rb",
    "Kv3#Mz8@Ly",
    "Ye5!Xu2*Ob",
]


def change(client, old, new):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def test_every_weak_password_is_refused_by_the_change_page_and_nothing_changes(client, ganlu_official):
    client.force_login(ganlu_official)
    accepted = []
    for password, why in WEAK:
        response = change(client, PASSWORD, password)
        if response.status_code != 200 or not response.context["form"].errors.get("new_password2"):
            accepted.append((password, why))
    assert accepted == []
    ganlu_official.refresh_from_db()
    assert ganlu_official.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password.change").exists()


def test_every_strong_password_is_accepted_by_the_change_page(client, ganlu_official):
    client.force_login(ganlu_official)
    current = PASSWORD
    refused = []
    for password in STRONG:
        response = change(client, current, password)
        if response.status_code == 302 and response["Location"] == reverse("password_change_done"):
            current = password
        else:
            refused.append((password, response.context["form"].errors.get("new_password2")))
    assert refused == []
    ganlu_official.refresh_from_db()
    assert ganlu_official.check_password(STRONG[-1])
    assert AuditEvent.objects.filter(action="password.change", username="ganlu").count() == len(STRONG)


def test_the_refusal_names_the_rule_in_chinese(client, ganlu_official):
    client.force_login(ganlu_official)
    cases = {
        "Ab1!xyz": "至少须 8 个字符",
        "password1": "三类",
        "P@ssw0rd2024": "常见",
        "Xk123456": "连续",
        "Ganlu@2024": "用户名",  # "ganlu" is 5 of 10 characters
    }
    for password, words in cases.items():
        errors = " ".join(change(client, PASSWORD, password).context["form"].errors["new_password2"])
        assert words in errors, (password, errors)


def test_the_new_password_must_differ_from_the_old_one(client, ganlu_official):
    client.force_login(ganlu_official)
    response = change(client, PASSWORD, PASSWORD)
    assert "不能与原密码相同" in " ".join(response.context["form"].errors["new_password2"])


@pytest.mark.parametrize(
    ("password", "share"),
    [
        # "Aa123456": runs "123456" (6 of 8) = 0.75; "Aa" is only 2 long.
        ("Aa123456", 0.75),
        # "Qwer1234": "qwer" (keyboard row) and "1234" (sequence) cover all 8.
        ("Qwer1234", 1.0),
        # "Kx7#pL2qRt": "qrt" (q→r in sequence, r→t on the keyboard row) = 3 of 10; allowed, being under half.
        ("Kx7#pL2qRt", 0.3),
        # "Jx4$Wq8!nZ": "wq" is only 2 long.
        ("Jx4$Wq8!nZ", 0.0),
        # "Abc@xyz9": "abc" and "xyz" = 6 of 8.
        ("Abc@xyz9", 0.75),
    ],
)
def test_pattern_share_counts_runs_of_three_or_more(password, share):
    assert pattern_share(password) == share


def test_validators_see_the_username_without_a_form(ganlu_official):
    with pytest.raises(ValidationError):
        validate_password("xGANLUx#9", ganlu_official)  # 5 of 9 characters are the username
    validate_password("xGANLx#9Rq", ganlu_official)  # not the username
    validate_password("Demo#2024ganlu", ganlu_official)  # the username is 5 of 14: not the main part


def test_a_password_older_than_90_days_forces_a_change_at_the_next_page(client, ganlu_official, settings):
    assert settings.PASSWORD_MAX_AGE_DAYS == 90
    start = timezone.now()
    ganlu_official.password_changed_at = start
    ganlu_official.save(update_fields=["password_changed_at"])
    with time_machine.travel(start + timedelta(days=89), tick=False):
        client.force_login(ganlu_official)
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(days=90, minutes=1), tick=False):
        client.force_login(ganlu_official)
        response = client.get(reverse("schools:list"))
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
        page = client.get(reverse("password_change"))
        assert "超过90天" in page.content.decode()
        assert change(client, PASSWORD, "Kx7#pL2qRt").status_code == 302
        assert client.get(reverse("schools:list")).status_code == 200
    ganlu_official.refresh_from_db()
    assert ganlu_official.password_changed_at > start + timedelta(days=90)
    assert AuditEvent.objects.get(action="password.change").detail["forced"] == "expired"
