"""SURVEY_ONLY=1: the same code on a public host serves the questionnaire, static files and /healthz, nothing else."""

import pytest
from django.urls import reverse

from supervision.survey.middleware import is_public_path
from tests.survey.conftest import answer


@pytest.fixture
def survey_only(settings):
    settings.SURVEY_ONLY = True


def test_the_public_questionnaire_is_served(client, survey, survey_only):
    assert client.get(reverse("survey:public", args=[survey.token])).status_code == 200
    assert client.get(reverse("survey:public_form", args=[survey.token, "teachers"])).status_code == 200
    assert client.get(reverse("survey:public_done", args=[survey.token])).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_answers_are_taken(survey, survey_only):
    _phone, response = answer(survey, "teachers", ["satisfied"] * 6)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/schools/", "/indicators/", "/survey/", "/survey/import/", "/audit/", "/nope"]
)
def test_every_other_path_is_not_found(client, survey_only, path, staff):
    client.force_login(staff)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_the_bureau_pages_of_the_survey_are_not_served_either(client, survey, survey_only, staff):
    client.force_login(staff)
    for name in ("survey:detail", "survey:qr", "survey:export", "survey:edit"):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 404, name


def test_static_files_and_health_pass_the_filter(survey_only):
    assert is_public_path("/static/css/survey.css")
    assert is_public_path("/healthz")
    assert not is_public_path("/healthz/extra")


def test_without_survey_only_the_portal_is_served(client, survey):
    assert client.get("/accounts/login/").status_code == 200
