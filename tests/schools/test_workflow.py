"""The return workflow through the pages: draft → submitted → approved, sent back, reopened; who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from gongqing.models import Notice
from gongqing.roles import Role
from schools import services, signals
from schools.models import ReturnClass, ReturnRoom, ReturnStatus, SchoolReturn
from schools.selectors import return_class_rows, return_figures, return_room_rows
from tests.factories import RoundFactory, SchoolYearFactory, UserFactory, class_rows, make_return, primary_figures
from tests.schools.postdata import current_form_data, edit_form_data


def status_of(ret) -> str:
    return SchoolReturn.objects.get(pk=ret.pk).status


def url(name, ret):
    return reverse(f"schools:{name}", args=[ret.pk])


@pytest.fixture
def draft(ganlu_school, official_round):
    return make_return(school=ganlu_school, round=official_round)


@pytest.fixture
def submitted(ganlu_school, official_round):
    return make_return(school=ganlu_school, round=official_round, status=ReturnStatus.SUBMITTED)


@pytest.fixture
def approved(ganlu_school, official_round):
    return make_return(school=ganlu_school, round=official_round, status=ReturnStatus.APPROVED)


def test_the_official_starts_fills_and_submits_their_townships_return(
    login, ganlu_official, ganlu_school, official_round
):
    client = login(ganlu_official)
    response = client.post(reverse("schools:return_start", args=[ganlu_school.pk, official_round.pk]))
    ret = SchoolReturn.objects.get(school=ganlu_school, round=official_round)
    assert response.status_code == 302 and response["Location"] == url("return_edit", ret)
    assert ret.status == ReturnStatus.DRAFT

    figures = primary_figures()
    data = edit_form_data(
        kind="primary", figures=figures, classes=class_rows("primary", 400, 10), rooms=[], version=ret.version
    )
    assert client.post(url("return_edit", ret), data).status_code == 302
    ret.refresh_from_db()
    assert return_figures(ret)["primary_students"] == 400 and ret.classes.count() == 10
    assert ret.status == ReturnStatus.DRAFT

    response = client.post(url("return_submit", ret))
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED
    assert ret.submitted_by == ganlu_official and ret.submitted_at is not None


def test_save_and_submit_in_one_step(login, ganlu_official, draft):
    data = current_form_data(draft, primary_teachers_backbone=6)
    data.pop("save")
    data["submit"] = "1"
    response = login(ganlu_official).post(url("return_edit", draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.SUBMITTED and draft.primary_teachers_backbone == 6


def test_an_incomplete_return_is_not_submitted(login, ganlu_official, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round, figures=primary_figures(public_funds_yuan=None))
    response = login(ganlu_official).post(url("return_submit", ret), follow=True)
    assert status_of(ret) == ReturnStatus.DRAFT
    assert "请填写年度公用经费（元）。" in response.content.decode()


def test_the_official_may_not_approve_send_back_or_reopen(login, ganlu_official, submitted):
    client = login(ganlu_official)
    assert client.post(url("return_approve", submitted)).status_code == 403
    assert client.post(url("return_send_back", submitted), {"comment": "x"}).status_code == 403
    assert status_of(submitted) == ReturnStatus.SUBMITTED
    SchoolReturn.objects.filter(pk=submitted.pk).update(status=ReturnStatus.APPROVED)
    assert client.post(url("return_reopen", submitted), {"comment": "x"}).status_code == 403
    assert status_of(submitted) == ReturnStatus.APPROVED


def test_an_official_of_another_township_gets_404_for_everything(
    login, jiangyi_official, ganlu_school, official_round, draft
):
    client = login(jiangyi_official)
    assert client.post(reverse("schools:return_start", args=[ganlu_school.pk, official_round.pk])).status_code == 404
    assert client.get(url("return_detail", draft)).status_code == 404
    assert client.get(url("return_edit", draft)).status_code == 404
    assert client.post(url("return_edit", draft), current_form_data(draft, primary_students=1)).status_code == 404
    assert client.post(url("return_submit", draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.DRAFT and draft.primary_students == 400 and draft.version == 1


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, Role.AUDITOR])
def test_read_only_roles_change_nothing(role, login, personas, draft, ganlu_school):
    client = login(personas[role])
    other_round = RoundFactory(school_year=SchoolYearFactory(year=2025))
    submitted = make_return(
        school=ganlu_school, round=other_round, status=ReturnStatus.SUBMITTED, figures=primary_figures()
    )
    attempts = [
        (url("return_edit", draft), current_form_data(draft, primary_students=1)),
        (url("return_submit", draft), {}),
        (url("return_approve", submitted), {}),
        (url("return_send_back", submitted), {"comment": "x"}),
        (reverse("schools:return_start", args=[ganlu_school.pk, other_round.pk]), {}),
    ]
    for target, data in attempts:
        assert client.post(target, data).status_code == 403, target
    assert status_of(draft) == ReturnStatus.DRAFT and status_of(submitted) == ReturnStatus.SUBMITTED
    assert SchoolReturn.objects.get(pk=draft.pk).primary_students == 400
    assert SchoolReturn.objects.count() == 2


def test_bureau_staff_approve_a_submitted_return(login, staff, submitted):
    response = login(staff).post(url("return_approve", submitted))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.APPROVED
    assert submitted.approved_by == staff and submitted.approved_at is not None


def test_a_draft_cannot_be_approved(login, staff, draft):
    response = login(staff).post(url("return_approve", draft))
    assert response.status_code == 403
    assert status_of(draft) == ReturnStatus.DRAFT


def test_sending_back_needs_a_comment(login, staff, submitted):
    response = login(staff).post(url("return_send_back", submitted), {"comment": "  "}, follow=True)
    assert status_of(submitted) == ReturnStatus.SUBMITTED
    assert "退回时请填写退回意见。" in response.content.decode()


def test_sending_back_returns_it_to_the_townships_officials_with_the_comment(
    login, staff, submitted, ganlu_official, jiangyi_official
):
    response = login(staff).post(url("return_send_back", submitted), {"comment": "班级数有误"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.RETURNED and submitted.review_comment == "班级数有误"
    assert [n.text for n in Notice.objects.filter(user=ganlu_official)] == ["甘露镇中心小学的填报被退回：班级数有误"]
    assert not Notice.objects.filter(user=jiangyi_official).exists()


def test_a_disabled_official_is_not_notified(login, staff, submitted, ganlu, ganlu_official):
    gone = UserFactory(username="ganlu_gone", role=Role.TOWNSHIP_OFFICIAL, township=ganlu, is_active=False)
    login(staff).post(url("return_send_back", submitted), {"comment": "请核对"})
    assert Notice.objects.filter(user=ganlu_official).count() == 1
    assert not Notice.objects.filter(user=gone).exists()


def test_an_invalid_save_shows_the_problem_beside_the_field_and_saves_nothing(login, ganlu_official, draft):
    data = current_form_data(draft, primary_teachers_backbone=99)
    response = login(ganlu_official).post(url("return_edit", draft), data)
    assert response.status_code == 200
    assert response.context["form"].errors["primary_teachers_backbone"] == [
        "小学县级及以上骨干教师数（99）不能超过小学专任教师数（24）。"
    ]
    assert "填报有误，未保存。" in response.content.decode()
    draft.refresh_from_db()
    assert draft.primary_teachers_backbone == 5 and draft.version == 1


def test_class_list_problems_are_shown_above_the_class_list(login, ganlu_official, draft):
    data = current_form_data(draft)
    data["classes-1-name"] = data["classes-0-name"]
    response = login(ganlu_official).post(url("return_edit", draft), data)
    assert response.status_code == 200
    errors = response.context["classes"].non_form_errors()
    assert any("重复" in e for e in errors)
    assert 'id="class-errors"' in response.content.decode()
    assert SchoolReturn.objects.get(pk=draft.pk).version == 1


def test_a_returned_return_becomes_a_draft_when_saved_and_can_be_submitted_again(login, ganlu_official, submitted):
    services.return_send_back(school_return=submitted, comment="请核对", by=None)
    client = login(ganlu_official)
    assert client.get(url("return_edit", submitted)).status_code == 200
    assert (
        client.post(url("return_edit", submitted), current_form_data(submitted, multimedia_rooms=12)).status_code == 302
    )
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.DRAFT and submitted.multimedia_rooms == 12
    client.post(url("return_submit", submitted))
    assert status_of(submitted) == ReturnStatus.SUBMITTED


def test_reopening_needs_a_reason(login, staff, approved):
    response = login(staff).post(url("return_reopen", approved), {"comment": ""}, follow=True)
    assert status_of(approved) == ReturnStatus.APPROVED
    assert "重新打开时请填写原因。" in response.content.decode()


def test_the_bureau_reopens_an_approved_return_with_a_reason(login, staff, approved, ganlu_official):
    response = login(staff).post(url("return_reopen", approved), {"comment": "设备值录入错误"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == ReturnStatus.RETURNED and approved.review_comment == "设备值录入错误"
    assert approved.approved_by is None and approved.approved_at is None
    assert Notice.objects.filter(user=ganlu_official, text__contains="设备值录入错误").exists()
    assert login(ganlu_official).get(url("return_edit", approved)).status_code == 200


def test_only_an_approved_return_can_be_reopened(login, staff, submitted):
    assert login(staff).post(url("return_reopen", submitted), {"comment": "x"}).status_code == 403
    assert status_of(submitted) == ReturnStatus.SUBMITTED


def test_an_approved_return_is_read_only(login, ganlu_official, staff, approved):
    for user in (ganlu_official, staff):
        client = login(user)
        response = client.get(url("return_edit", approved))
        assert response.status_code == 302 and response["Location"] == url("return_detail", approved)
        response = client.post(url("return_edit", approved), current_form_data(approved, primary_students=1))
        assert response.status_code == 302 and response["Location"] == url("return_detail", approved)
        assert client.post(url("return_submit", approved)).status_code == 403
    approved.refresh_from_db()
    assert approved.primary_students == 400 and approved.status == ReturnStatus.APPROVED and approved.version == 1


def test_the_services_refuse_to_change_an_approved_return(staff, approved):
    with pytest.raises(services.WorkflowError):
        services.return_save(
            school_return=approved,
            figures={**return_figures(approved), "primary_students": 1},
            classes=return_class_rows(approved),
            rooms=return_room_rows(approved),
            expected_version=approved.version,
            by=staff,
        )
    with pytest.raises(services.WorkflowError):
        services.return_submit(school_return=approved, by=staff)
    with pytest.raises(services.WorkflowError):
        services.return_approve(school_return=approved, by=staff)
    with pytest.raises(services.WorkflowError):
        services.return_send_back(school_return=approved, comment="x", by=staff)
    assert SchoolReturn.objects.get(pk=approved.pk).primary_students == 400


def test_a_closed_round_takes_no_new_returns_and_no_edits(login, ganlu_official, ganlu_school, official_round, draft):
    official_round.is_open = False
    official_round.save(update_fields=["is_open"])
    client = login(ganlu_official)
    response = client.get(url("return_edit", draft))
    assert response.status_code == 302 and response["Location"] == url("return_detail", draft)
    closed_without_return = RoundFactory(school_year=SchoolYearFactory(year=2022), is_open=False)
    response = client.post(reverse("schools:return_start", args=[ganlu_school.pk, closed_without_return.pk]))
    assert response.status_code == 404
    assert not SchoolReturn.objects.filter(round=closed_without_return).exists()


def test_starting_a_return_prefills_the_last_approved_figures_classes_and_rooms(login, ganlu_official, ganlu_school):
    last_year = RoundFactory(school_year=SchoolYearFactory(year=2023))
    older = RoundFactory(school_year=SchoolYearFactory(year=2022))
    make_return(school=ganlu_school, round=older, status=ReturnStatus.APPROVED, figures=primary_figures(students=300))
    previous = make_return(
        school=ganlu_school,
        round=last_year,
        status=ReturnStatus.APPROVED,
        figures=primary_figures(students=420, equipment_value_yuan=Decimal("950000.50")),
    )
    interim = RoundFactory(
        school_year=last_year.school_year,
        kind="interim",
        name="2024年3月自查",
        as_of=datetime.date(2024, 3, 1),
        due_date=datetime.date(2024, 3, 31),
    )
    response = login(ganlu_official).post(reverse("schools:return_start", args=[ganlu_school.pk, interim.pk]))
    assert response.status_code == 302
    ret = SchoolReturn.objects.get(school=ganlu_school, round=interim)
    assert ret.status == ReturnStatus.DRAFT and ret.version == 1
    assert return_figures(ret) == return_figures(previous)
    assert ret.equipment_value_yuan == Decimal("950000.50")
    assert sorted(return_class_rows(ret), key=repr) == sorted(return_class_rows(previous), key=repr)
    assert len(return_class_rows(ret)) == 10
    assert sorted(return_room_rows(ret), key=repr) == sorted(return_room_rows(previous), key=repr)
    assert ReturnClass.objects.filter(school_return=previous).count() == 10
    assert ReturnRoom.objects.filter(school_return=previous).count() == 2


def test_a_draft_or_later_return_is_not_used_for_prefill(ganlu_official, ganlu_school):
    make_return(
        school=ganlu_school, round=RoundFactory(school_year=SchoolYearFactory(year=2023)), status=ReturnStatus.DRAFT
    )
    make_return(
        school=ganlu_school,
        round=RoundFactory(school_year=SchoolYearFactory(year=2025)),
        status=ReturnStatus.APPROVED,
    )
    ret = services.return_start(
        school=ganlu_school, round=RoundFactory(school_year=SchoolYearFactory(year=2024)), by=ganlu_official
    )
    assert ret.primary_students is None and ret.classes.count() == 0 and ret.rooms.count() == 0


def test_starting_twice_returns_the_same_return(ganlu_official, ganlu_school, official_round):
    first = services.return_start(school=ganlu_school, round=official_round, by=ganlu_official)
    second = services.return_start(school=ganlu_school, round=official_round, by=ganlu_official)
    assert first.pk == second.pk and SchoolReturn.objects.count() == 1


def test_the_approved_signal_is_sent_after_commit(staff, submitted, official_round, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append({k: v for k, v in kwargs.items() if k != "signal"})

    signals.return_approved.connect(receiver, dispatch_uid="test-approved")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.return_approve(school_return=submitted, by=staff)
        assert received == []
        assert callbacks
        with django_capture_on_commit_callbacks(execute=True):
            for callback in callbacks:
                callback()
    finally:
        signals.return_approved.disconnect(dispatch_uid="test-approved")
    assert received == [{"school_return_id": submitted.pk, "round_id": official_round.pk, "school_year": 2024}]


def test_the_reopened_signal_is_sent_after_commit(staff, approved, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["school_return_id"])

    signals.return_reopened.connect(receiver, dispatch_uid="test-reopened")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.return_reopen(school_return=approved, reason="更正", by=staff)
            assert received == []
    finally:
        signals.return_reopened.disconnect(dispatch_uid="test-reopened")
    assert received == [approved.pk]


def test_no_signal_when_the_approval_is_rolled_back(staff, submitted, django_capture_on_commit_callbacks):
    received = []
    signals.return_approved.connect(lambda sender, **kw: received.append(kw), dispatch_uid="test-rollback", weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            services.return_approve(school_return=submitted, by=staff)
            raise RuntimeError
    finally:
        signals.return_approved.disconnect(dispatch_uid="test-rollback")
    assert received == []
    assert status_of(submitted) == ReturnStatus.SUBMITTED
