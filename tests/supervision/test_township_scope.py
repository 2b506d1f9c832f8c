"""A township official acts for their township's body: the plan's township measures (1.3, 5.2, …) are led by all six
townships at once, so the official opens them, but sees no other township's body by name and none of what another
township's body posted on them — on the measure's page, on the supervision home page and through the API."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from gongqing.roles import Role
from supervision import access, services
from supervision.models import Measure

FROZEN = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def shared_measure(county, demo_cycle, personas, jiangyi_official):
    """Measure 1.3, led by every township; 江益镇's official posts progress on it for 江益镇."""
    services.measures_seed(cycle=demo_cycle)
    measure = Measure.objects.get(cycle=demo_cycle, ref="1.3")
    assert {"ganlu", "jiangyi"} <= {a.body.code for a in measure.assignments.all()}
    services.progress_post(obj=measure, by=jiangyi_official, text="江益镇已完成摸底", percent=40)
    return measure


def test_another_townships_progress_is_not_on_the_officials_home_page(shared_measure, login, ganlu_official, staff):
    assert shared_measure in access.measures_for(ganlu_official)
    page = login(ganlu_official).get(reverse("supervision:home"))
    assert list(page.context["updates"]) == []
    assert "江益镇已完成摸底" not in page.content.decode()
    assert [u.text for u in login(staff).get(reverse("supervision:home")).context["updates"]] == ["江益镇已完成摸底"]


def test_the_posting_townships_official_sees_their_own_progress(shared_measure, login, jiangyi_official):
    page = login(jiangyi_official).get(reverse("supervision:home"))
    assert [u.text for u in page.context["updates"]] == ["江益镇已完成摸底"]


def test_another_townships_progress_is_not_on_the_measures_page(shared_measure, login, ganlu_official):
    page = login(ganlu_official).get(reverse("supervision:measure", kwargs={"pk": shared_measure.pk}))
    assert page.status_code == 200
    assert "江益镇已完成摸底" not in page.content.decode()


def test_the_updates_scope_is_the_same_for_the_home_page_and_the_measure(shared_measure, ganlu_official, staff):
    assert not access.updates_for(ganlu_official).exists()
    assert not access.updates_for(ganlu_official, on=shared_measure).exists()
    assert access.updates_for(staff).count() == access.updates_for(staff, on=shared_measure).count() == 1


def test_an_official_sees_the_departments_and_their_own_township_body_only(bodies, personas, ganlu_official):
    codes = set(access.bodies_for(ganlu_official).values_list("code", flat=True))
    assert "ganlu" in codes and "finance" in codes and "jiangyi" not in codes
    for persona in (Role.BUREAU_STAFF, Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, Role.API_CLIENT):
        assert "jiangyi" in set(access.bodies_for(personas[persona]).values_list("code", flat=True)), persona
    assert not access.bodies_for(personas[Role.AUDITOR]).exists()


def test_the_api_client_reads_every_measure_and_the_auditor_none(shared_measure, personas):
    assert shared_measure in access.measures_for(personas[Role.API_CLIENT])
    assert not access.measures_for(personas[Role.AUDITOR]).exists()
    assert not access.items_for(personas[Role.AUDITOR]).exists()
