"""A machine client submitting through the API is held to the same check, and explains with the submit."""

import pytest

from gongqing.roles import Role
from schools.annotations.models import Explanation
from schools.models import ReturnStatus
from tests.api.conftest import body
from tests.factories import RoundFactory, SchoolYearFactory, make_return, primary_figures

SUBMIT = "/api/v1/returns/{}/submit/"


@pytest.fixture
def this_year(ganlu_school, official_round):
    """400 pupils approved last year, 600 now: the rules engine's +50 % change warning on primary_students."""
    last = RoundFactory(school_year=SchoolYearFactory(year=2023), is_open=False)
    make_return(school=ganlu_school, round=last, status=ReturnStatus.APPROVED, figures=primary_figures(students=400))
    return make_return(school=ganlu_school, round=official_round, figures=primary_figures(students=600))


@pytest.fixture
def city(bearer, personas):
    return bearer(personas[Role.API_CLIENT], "read", "returns:write")


def test_an_unexplained_warning_answers_400_naming_the_figure(city, this_year):
    response = city.post(SUBMIT.format(this_year.pk), {"version": 1}, format="json")
    assert response.status_code == 400
    [problem] = body(response)["error"]["fields"]["primary_students"]
    assert "提交前请在“数据核查”中填写说明" in problem["message"]
    this_year.refresh_from_db()
    assert this_year.status == ReturnStatus.DRAFT


def test_explanations_by_figure_are_stored_and_the_return_submitted(city, this_year):
    response = city.post(
        SUBMIT.format(this_year.pk),
        {"version": 1, "explanations": {"primary_students": "合并了村小，转入200人。"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    this_year.refresh_from_db()
    assert this_year.status == ReturnStatus.SUBMITTED
    expl = Explanation.objects.get(school_return=this_year)
    assert (expl.field, expl.text) == ("primary_students", "合并了村小，转入200人。")
