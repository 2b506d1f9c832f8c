"""indicators/access.py per persona: stored results through the schools a user sees; scenarios for the bureau."""

import pytest

from gongqing.refusals import OutOfScope
from gongqing.roles import Role
from indicators import access
from indicators.models import Scenario, SchoolResult


@pytest.fixture
def results(official_round, ganlu_school, jiangyi_school):
    for school in (ganlu_school, jiangyi_school):
        SchoolResult.objects.create(round=official_round, school=school, section="", code="R1", status="met")
    return official_round


@pytest.fixture
def scenario(official_round, staff):
    return Scenario.objects.create(round=official_round, name="新建一所小学", created_by=staff)


def test_county_readers_and_the_api_client_read_every_schools_results(results, personas):
    for persona in (Role.BUREAU_STAFF, Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, Role.API_CLIENT):
        assert access.results_for(personas[persona]).count() == 2, persona


def test_an_official_reads_only_their_townships_results_and_the_auditor_none(results, personas, ganlu_school):
    assert [r.school for r in access.results_for(personas["ganlu_official"])] == [ganlu_school]
    assert access.verdicts_for(personas[Role.AUDITOR]).count() == 0
    assert access.results_for(personas[Role.AUDITOR]).count() == 0


def test_scenarios_are_the_bureaus_working_papers(scenario, personas):
    assert access.scenario_for_user(user=personas[Role.BUREAU_ADMIN], pk=scenario.pk) == scenario
    for persona in (Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, "ganlu_official", Role.AUDITOR, Role.API_CLIENT):
        assert not access.scenarios_for(personas[persona]).exists(), persona
        with pytest.raises(OutOfScope):
            access.scenario_for_user(user=personas[persona], pk=scenario.pk)


def test_a_lower_school_bound_narrows_the_scope_and_never_widens_it(results, personas, ganlu_school, jiangyi_school):
    """`from_school` (a keyset page's first school) keeps the rows of schools with id ≥ it, within the user's scope."""
    low, high = sorted((ganlu_school, jiangyi_school), key=lambda s: s.pk)
    county = personas[Role.API_CLIENT]
    assert {r.school for r in access.results_for(county, from_school=low.pk)} == {low, high}
    assert {r.school for r in access.results_for(county, from_school=high.pk)} == {high}
    assert not access.results_for(county, from_school=high.pk + 1).exists()
    official = personas["ganlu_official"]
    assert {r.school for r in access.results_for(official, from_school=low.pk)} == {ganlu_school}
    assert access.results_for(personas[Role.AUDITOR], from_school=low.pk).count() == 0
    assert access.verdicts_for(official, from_school=low.pk).count() == 0  # no verdicts stored: none, not an error
