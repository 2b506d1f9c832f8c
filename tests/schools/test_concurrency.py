"""Two people edit the same return: the first save wins, the second is told and keeps their input."""

import pytest
from django.test import Client
from django.urls import reverse

from schools import services
from schools.models import ReturnClass, SchoolReturn
from schools.selectors import return_class_rows, return_figures, return_room_rows
from schools.validation import ClassRow
from tests.factories import make_return
from tests.schools.postdata import current_form_data

CONFLICT = "在您编辑期间，这份填报已被他人于"


@pytest.fixture
def draft(ganlu_school, official_round):
    return make_return(school=ganlu_school, round=official_round)


def edit_url(ret):
    return reverse("schools:return_edit", args=[ret.pk])


def loaded_form(client, ret) -> dict:
    """Open the edit page and return what saving it would post (the version is the one the page carried)."""
    response = client.get(edit_url(ret))
    assert response.status_code == 200
    version = response.context["form"]["version"].value()
    data = current_form_data(ret)
    data["version"] = str(version)
    return data


def test_the_second_save_on_the_same_version_is_refused_and_keeps_its_input(ganlu_official, staff, draft):
    first, second = Client(), Client()
    first.force_login(ganlu_official)
    second.force_login(staff)
    first_data = loaded_form(first, draft)
    second_data = loaded_form(second, draft)
    assert first_data["version"] == second_data["version"] == "1"

    first_data["primary_teachers_backbone"] = "6"
    assert first.post(edit_url(draft), first_data).status_code == 302

    second_data["primary_teachers_backbone"] = "7"
    second_data["multimedia_rooms"] = "13"
    second_data["classes-0-students"] = str(int(second_data["classes-0-students"]) + 1)
    second_data["primary_students"] = "401"
    response = second.post(edit_url(draft), second_data)

    assert response.status_code == 200
    page = response.content.decode()
    assert CONFLICT in page
    form = response.context["form"]
    assert form["primary_teachers_backbone"].value() == "7"
    assert form["multimedia_rooms"].value() == "13"
    assert form["primary_students"].value() == "401"
    assert response.context["classes"].forms[0]["students"].value() == second_data["classes-0-students"]
    assert 'value="13"' in page
    # The conflict column shows what the other person saved.
    assert response.context["conflict"].primary_teachers_backbone == 6

    stored = SchoolReturn.objects.get(pk=draft.pk)
    assert stored.primary_teachers_backbone == 6
    assert stored.multimedia_rooms == 11 and stored.primary_students == 400
    assert sum(c.students for c in stored.classes.all()) == 400
    assert stored.version == 2


def test_after_the_conflict_the_second_person_may_save_over_it_deliberately(ganlu_official, staff, draft):
    first, second = Client(), Client()
    first.force_login(ganlu_official)
    second.force_login(staff)
    first_data, second_data = loaded_form(first, draft), loaded_form(second, draft)
    first_data["primary_teachers_backbone"] = "6"
    first.post(edit_url(draft), first_data)
    second_data["multimedia_rooms"] = "13"
    response = second.post(edit_url(draft), second_data)
    assert response.context["form"]["version"].value() == 2
    second_data["version"] = "2"
    assert second.post(edit_url(draft), second_data).status_code == 302
    stored = SchoolReturn.objects.get(pk=draft.pk)
    assert stored.multimedia_rooms == 13 and stored.version == 3


def test_the_service_raises_return_conflict_on_a_stale_version_and_writes_nothing(ganlu_official, staff, draft):
    rows = return_class_rows(draft)
    services.return_save(
        school_return=SchoolReturn.objects.get(pk=draft.pk),
        figures={**return_figures(draft), "primary_teachers_backbone": 6},
        classes=rows,
        rooms=return_room_rows(draft),
        expected_version=1,
        by=ganlu_official,
    )
    stale = SchoolReturn.objects.get(pk=draft.pk)
    stale.version = 1
    changed_rows = [ClassRow(r.section, r.grade, r.name + "甲", r.students) for r in rows]
    with pytest.raises(services.ReturnConflict) as caught:
        services.return_save(
            school_return=stale,
            figures={**return_figures(draft), "primary_teachers_backbone": 9},
            classes=changed_rows,
            rooms=[],
            expected_version=1,
            by=staff,
        )
    assert caught.value.current.version == 2
    assert caught.value.current.primary_teachers_backbone == 6
    assert "已被他人修改" in str(caught.value)
    stored = SchoolReturn.objects.get(pk=draft.pk)
    assert stored.version == 2 and stored.primary_teachers_backbone == 6
    assert not ReturnClass.objects.filter(school_return=draft, name__endswith="甲").exists()
    assert stored.rooms.count() == 2


def test_a_submit_with_a_stale_version_is_refused(ganlu_official, draft):
    SchoolReturn.objects.filter(pk=draft.pk).update(version=5)
    with pytest.raises(services.ReturnConflict):
        services.return_submit(school_return=draft, by=ganlu_official, expected_version=1)
    assert SchoolReturn.objects.get(pk=draft.pk).status == "draft"
