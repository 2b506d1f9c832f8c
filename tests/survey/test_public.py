"""The public questionnaire: no login, one response per device, rate limits, nothing that identifies anybody."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongqing.models import AuditEvent
from supervision.survey import limits
from supervision.survey.models import DeviceReceipt, Response
from tests.survey.conftest import answer, form_data

SIX = ["satisfied"] * 6


@pytest.fixture
def clock(survey):
    """Time stands still at noon (Beijing) of today, inside the survey's dates: windows cannot roll over mid-test."""
    noon = timezone.now().replace(hour=4, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=False) as traveller:
        yield traveller


def test_anybody_can_open_the_questionnaire_and_choose_a_group(client, survey):
    response = client.get(reverse("survey:public", args=[survey.token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "我是学生" in body and "我是人大代表" in body
    assert 'name="viewport"' in body


def test_an_unknown_token_is_not_found(client, survey):
    assert client.get(reverse("survey:public", args=["no-such-survey"])).status_code == 404


def test_a_phone_answers_once_and_is_thanked(survey):
    phone, response = answer(survey, "students", SIX)
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:public_done", args=[survey.token])
    assert Response.objects.filter(survey=survey, group="students").count() == 1
    stored = Response.objects.get()
    assert stored.answers == SIX and stored.source == "online"


def test_a_second_submission_from_the_same_device_is_refused(survey):
    phone, first = answer(survey, "students", SIX)
    assert first.status_code == 302
    url = reverse("survey:public_form", args=[survey.token, "parents"])
    second = phone.post(url, form_data(SIX))
    assert second.status_code == 409
    assert "本设备已提交过" in second.content.decode()
    assert Response.objects.count() == 1
    # The questionnaire itself tells the device it has answered.
    assert "本设备已提交过" in phone.get(reverse("survey:public", args=[survey.token])).content.decode()


def test_another_device_behind_the_same_address_may_answer(survey):
    for _ in range(3):
        _phone, response = answer(survey, "parents", SIX, REMOTE_ADDR="198.51.100.20")
        assert response.status_code == 302
    assert Response.objects.count() == 3


def test_a_submission_without_the_device_cookie_is_refused(client, survey):
    url = reverse("survey:public_form", args=[survey.token, "students"])
    response = client.post(url, form_data(SIX))
    assert response.status_code == 400
    assert Response.objects.count() == 0
    assert limits.COOKIE in response.cookies  # the retry will carry one


def test_a_forged_device_cookie_counts_as_none(client, survey):
    client.cookies[limits.COOKIE] = "x" * 43
    response = client.post(reverse("survey:public_form", args=[survey.token, "students"]), form_data(SIX))
    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_the_device_cookie_is_http_only_and_long_lived(client, survey):
    response = client.get(reverse("survey:public", args=[survey.token]))
    cookie = response.cookies[limits.COOKIE]
    assert cookie["httponly"] is True
    assert int(cookie["max-age"]) >= 365 * 24 * 3600


def test_an_unanswered_item_is_asked_again(survey):
    phone = Client()
    url = reverse("survey:public_form", args=[survey.token, "students"])
    phone.get(url)
    response = phone.post(url, form_data(SIX[:5]))
    assert response.status_code == 200
    assert "请选择一项" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_closed_survey_takes_no_answers(survey):
    survey.closed = True
    survey.save(update_fields=["closed"])
    phone, response = answer(survey, "students", SIX)
    assert response.status_code == 403
    assert "问卷当前未开放" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_device_sending_too_often_is_slowed_down(settings, survey, clock):
    settings.SURVEY_RATE_PER_DEVICE = (3, 600)
    phone = Client()
    url = reverse("survey:public_form", args=[survey.token, "students"])
    phone.get(url)
    codes = [phone.post(url, {}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "提交过于频繁" in phone.post(url, form_data(SIX)).content.decode()
    assert Response.objects.count() == 0


def test_the_device_limit_is_per_device_not_per_address(settings, survey, clock):
    settings.SURVEY_RATE_PER_DEVICE = (1, 600)
    for _ in range(4):
        _phone, response = answer(survey, "students", SIX, REMOTE_ADDR="198.51.100.20")
        assert response.status_code == 302
    assert Response.objects.count() == 4


def test_a_flood_on_one_survey_is_capped(settings, survey, clock):
    settings.SURVEY_RATE_PER_SURVEY = (5, 60)
    codes = [answer(survey, "students", SIX)[1].status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert Response.objects.count() == 5


def test_the_survey_limit_window_moves_on(settings, survey, clock):
    settings.SURVEY_RATE_PER_SURVEY = (1, 60)
    assert answer(survey, "students", SIX)[1].status_code == 302
    assert answer(survey, "students", SIX)[1].status_code == 429
    clock.shift(datetime.timedelta(seconds=61))
    assert answer(survey, "students", SIX)[1].status_code == 302


@pytest.mark.parametrize("group", ["students", "residents"])
def test_no_respondent_identifier_is_stored_anywhere(survey, group):
    before = AuditEvent.objects.count()
    phone, response = answer(
        survey, group, SIX, REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="GongqingTestPhone/9.9 (unique-agent)"
    )
    assert response.status_code == 302
    device = phone.cookies[limits.COOKIE].value.split(":")[0]
    dump = "".join(
        serializers.serialize("json", model.objects.all())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    )
    for needle in ("203.0.113.77", "GongqingTestPhone", "unique-agent", device):
        assert needle not in dump
    assert AuditEvent.objects.count() == before
    receipt = DeviceReceipt.objects.get()
    assert len(receipt.token_hash) == 64 and not hasattr(receipt, "response")
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "survey", "group", "answers", "submitted_on", "source"}
