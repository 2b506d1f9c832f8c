"""Fixtures of the survey tests: an open survey of 2024 and helpers to answer it as a phone would.

The cache is never cleared here: in .ci/run's second pass it is Redis, shared with the Celery broker. Rate-limit
counters are keyed by each test's own random survey token and device tokens, so tests cannot meet in the cache.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from supervision.survey import services
from supervision.survey.models import Survey

GROUPS = ("students", "parents", "teachers", "principals", "npc_deputies", "cppcc_members", "residents")
KEY = "survey-export-key-for-tests-0123456789abcdef"


@pytest.fixture
def survey(school_year) -> Survey:
    today = timezone.localdate()
    return services.survey_create(
        school_year=school_year,
        title="共青城市社会认可度调查",
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def export_key(settings):
    settings.SURVEY_EXPORT_KEY = KEY
    return KEY


def form_data(answers) -> dict:
    return {f"q{i}": level for i, level in enumerate(answers, start=1)}


def answer(survey: Survey, group: str, answers, client: Client | None = None, **extra):
    """A new phone (its own client, so its own cookie) opens the questionnaire and sends it."""
    phone = client or Client()
    url = reverse("survey:public_form", args=[survey.token, group])
    phone.get(url, **extra)
    return phone, phone.post(url, form_data(answers), **extra)


def submit(survey: Survey, group: str, answers, n: int = 1, *, start: int = 0) -> None:
    """n responses through the service, each from its own device (faster than HTTP where the page is not the point)."""
    for i in range(start, start + n):
        services.response_submit(
            survey=survey,
            group=group,
            answers=list(answers),
            device_token=f"device-{group}-{i}-{'x' * 32}",
            today=timezone.localdate(),
        )
