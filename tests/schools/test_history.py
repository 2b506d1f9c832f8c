"""Every change leaves who, when, field, old → new on the school page; every workflow step leaves an audit row."""

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from schools.history import group_edits, school_history
from schools.models import ReturnStatus
from tests.factories import RoundFactory, SchoolYearFactory, class_rows, make_return, primary_figures
from tests.schools.postdata import current_form_data, edit_form_data

IP = "10.36.4.82"


@pytest.fixture
def draft(ganlu_school, official_round):
    return make_return(school=ganlu_school, round=official_round)


def save(client, ret, data):
    response = client.post(reverse("schools:return_edit", args=[ret.pk]), data, REMOTE_ADDR=IP)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_save_records_who_changed_which_field_from_what_to_what(login, ganlu_official, ganlu_school, draft):
    client = login(ganlu_official)
    save(client, draft, current_form_data(draft, primary_teachers_backbone=7, multimedia_rooms=12))

    changes = {(c.field, c.old, c.new): c for c in school_history(school=ganlu_school)}
    backbone = changes[("小学县级及以上骨干教师数", "5", "7")]
    assert backbone.user == "ganlu"
    assert backbone.round == str(draft.round)
    assert backbone.at is not None
    assert ("网络多媒体教室数", "11", "12") in changes
    assert not any(field == "小学在校生数" for field, _o, _n in changes)

    page = client.get(reverse("schools:detail", args=[ganlu_school.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "小学县级及以上骨干教师数</td><td>5</td><td>7</td>" in history
    assert " · ganlu · " in history


def test_class_and_room_changes_appear_in_the_history(login, ganlu_official, ganlu_school, draft):
    data = current_form_data(draft)
    # Move one pupil between two classes, rename nothing, drop the art room, enlarge the music room.
    data["classes-0-students"] = str(int(data["classes-0-students"]) + 1)
    data["classes-1-students"] = str(int(data["classes-1-students"]) - 1)
    first_class = data["classes-0-name"]
    assert [data["rooms-0-room"], data["rooms-1-room"]] == ["art", "music"]
    data["rooms-0-DELETE"] = "on"
    data["rooms-1-area_m2"] = "120"
    save(login(ganlu_official), draft, data)

    changes = [(c.field, c.old, c.new) for c in school_history(school=ganlu_school) if c.user == "ganlu"]
    assert (f"班级 {first_class}", "40人", "41人") in changes
    assert ("美术专用教室", "95.00 m²", "删除") in changes
    assert ("音乐专用教室", "100.00 m²", "120.00 m²") in changes

    page = login(ganlu_official).get(reverse("schools:detail", args=[ganlu_school.pk])).content.decode()
    assert f"班级 {first_class}</td><td>40人</td><td>41人" in page
    assert "美术专用教室</td><td>95.00 m²</td><td>删除" in page


def test_one_save_is_one_line_of_the_log_however_many_classes_it_touched(login, ganlu_official, ganlu_school, draft):
    data = current_form_data(draft, primary_teachers_backbone=7)
    for i in range(4):  # move one pupil from class 0 to 1 and from 2 to 3: the totals still match
        data[f"classes-{i}-students"] = str(int(data[f"classes-{i}-students"]) + (1 if i % 2 else -1))
    save(login(ganlu_official), draft, data)

    edits = group_edits(school_history(school=ganlu_school))
    mine = [e for e in edits if e.user == "ganlu"]
    assert len(mine) == 1
    assert len([c for c in mine[0].changes if c.field.startswith("班级")]) == 4
    assert any(c.field == "小学县级及以上骨干教师数" for c in mine[0].changes)
    page = login(ganlu_official).get(reverse("schools:detail", args=[ganlu_school.pk])).content.decode()
    assert page.count('class="history-edit"') == len(edits)


def test_status_changes_appear_in_the_history(login, staff, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round, status=ReturnStatus.SUBMITTED)
    login(staff).post(reverse("schools:return_send_back", args=[ret.pk]), {"comment": "请核对班级数"})
    changes = [(c.user, c.field, c.old, c.new) for c in school_history(school=ganlu_school)]
    assert ("staff", "状态", "已提交", "已退回") in changes
    assert ("staff", "审核意见", "—", "请核对班级数") in changes


def test_the_history_of_one_school_does_not_show_anothers(login, staff, ganlu_school, jiangyi_school, official_round):
    ret = make_return(school=jiangyi_school, round=official_round)
    save(login(staff), ret, current_form_data(ret, primary_teachers_backbone=8))
    assert [c for c in school_history(school=ganlu_school)] == []
    assert any(c.new == "8" for c in school_history(school=jiangyi_school))


def test_the_history_is_read_in_two_queries_the_returns_and_one_union_of_their_histories(
    login, ganlu_official, ganlu_school, draft, django_assert_num_queries
):
    client = login(ganlu_official)
    for n in (6, 7, 8):
        save(client, draft, current_form_data(draft, primary_teachers_backbone=n))
    with django_assert_num_queries(2):
        assert len(school_history(school=ganlu_school)) > 3
    for year in (2020, 2021, 2022):
        make_return(school=ganlu_school, round=RoundFactory(school_year=SchoolYearFactory(year=year)))
    with django_assert_num_queries(2):
        assert len(school_history(school=ganlu_school)) > 6


def audit_row(action):
    rows = list(AuditEvent.objects.filter(action=action))
    assert len(rows) == 1, (action, rows)
    return rows[0]


def test_every_workflow_step_leaves_an_audit_row_with_user_and_address(
    login, ganlu_official, staff, ganlu_school, official_round
):
    official = login(ganlu_official)
    official.post(reverse("schools:return_start", args=[ganlu_school.pk, official_round.pk]), REMOTE_ADDR=IP)
    ret = ganlu_school.returns.get()
    started = audit_row("return.start")

    figures = primary_figures()
    save(
        official,
        ret,
        edit_form_data(kind="primary", figures=figures, classes=class_rows("primary", 400, 10), rooms=[], version=1),
    )
    saved = audit_row("return.save")
    official.post(reverse("schools:return_submit", args=[ret.pk]), REMOTE_ADDR=IP)
    submitted = audit_row("return.submit")

    bureau = login(staff)
    bureau.post(reverse("schools:return_send_back", args=[ret.pk]), {"comment": "请核对"}, REMOTE_ADDR=IP)
    sent_back = audit_row("return.send_back")
    official = login(ganlu_official)
    save(official, ret, current_form_data(ret))
    official.post(reverse("schools:return_submit", args=[ret.pk]), REMOTE_ADDR=IP)
    bureau = login(staff)
    bureau.post(reverse("schools:return_approve", args=[ret.pk]), REMOTE_ADDR=IP)
    approved = audit_row("return.approve")
    bureau.post(reverse("schools:return_reopen", args=[ret.pk]), {"comment": "更正设备值"}, REMOTE_ADDR=IP)
    reopened = audit_row("return.reopen")

    for row, user in (
        (started, ganlu_official),
        (saved, ganlu_official),
        (submitted, ganlu_official),
        (sent_back, staff),
        (approved, staff),
        (reopened, staff),
    ):
        assert row.user == user and row.username == user.username, row.action
        assert row.ip == IP, row.action
        assert row.object_type == "schools.schoolreturn" and row.object_id == str(ret.pk), row.action
        assert row.result == "ok" and row.at is not None
    assert "primary_students" in saved.detail["fields"]
    assert saved.detail["rows_changed"] is True
    assert sent_back.detail["comment"] == "请核对"
    assert reopened.detail["reason"] == "更正设备值"
    assert AuditEvent.objects.filter(action="return.submit").count() == 2
