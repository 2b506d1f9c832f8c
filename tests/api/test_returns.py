"""Returns through the API: started, saved and submitted with the pages' validation, workflow and version check;
replayed by Idempotency-Key; audited; township officials confined to their township."""

from decimal import Decimal

import pytest

from gongqing.models import AuditEvent, IdempotencyRecord
from gongqing.roles import Role
from schools.models import ReturnStatus, SchoolReturn
from tests.api.conftest import body
from tests.factories import class_rows, make_return, primary_figures

RETURNS = "/api/v1/returns/"


def _payload(version, **overrides):
    figures = primary_figures(**overrides)
    data = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items()}
    data["classes"] = [
        {"section": r.section, "grade": r.grade, "name": r.name, "students": r.students}
        for r in class_rows("primary", figures["primary_students"], figures["primary_classes"])
    ]
    data["rooms"] = [{"room": "music", "area_m2": "100.50"}, {"room": "art", "area_m2": "95"}]
    data["version"] = version
    return data


@pytest.fixture
def city(bearer, personas):
    return bearer(personas[Role.API_CLIENT], "read", "returns:write")


def test_an_api_client_takes_a_return_from_start_to_submitted(city, ganlu_school, official_round):
    started = city.post(RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, format="json")
    assert started.status_code == 201
    ret = body(started)
    assert (ret["status"], ret["version"]) == ("draft", 1)

    saved = city.patch(f"{RETURNS}{ret['id']}/", _payload(1), format="json")
    assert saved.status_code == 200, saved.content
    assert body(saved)["version"] == 2
    assert body(saved)["teaching_area_m2"] == Decimal("2600.00")
    rooms = {r["room"]: r["area_m2"] for r in body(saved)["rooms"]}
    assert rooms == {"music": Decimal("100.50"), "art": Decimal("95.00")}
    assert len(body(saved)["classes"]) == 10

    submitted = city.post(f"{RETURNS}{ret['id']}/submit/", {"version": 2}, format="json")
    assert submitted.status_code == 200, submitted.content
    row = SchoolReturn.objects.get(pk=ret["id"])
    assert (row.status, row.version, row.primary_students) == (ReturnStatus.SUBMITTED, 3, 400)
    actions = list(
        AuditEvent.objects.filter(object_type="schools.schoolreturn", object_id=str(row.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["return.save", "return.start", "return.submit"]


def test_a_township_official_saves_a_draft_of_their_school_with_the_session(
    login, ganlu_official, ganlu_school, official_round
):
    ret = make_return(school=ganlu_school, round=official_round, with_rows=False, figures={})
    client = login(ganlu_official)
    response = client.patch(f"{RETURNS}{ret.pk}/", _payload(1), content_type="application/json")
    assert response.status_code == 200, response.content
    ret.refresh_from_db()
    assert ret.version == 2 and ret.classes.count() == 10


def test_it_answers_409_on_a_stale_version_and_changes_nothing(city, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    SchoolReturn.objects.filter(pk=ret.pk).update(version=4)
    response = city.patch(f"{RETURNS}{ret.pk}/", {"version": 3, "multimedia_rooms": 1}, format="json")
    assert response.status_code == 409
    error = body(response)["error"]
    assert (error["code"], error["current_version"]) == ("stale_version", 4)
    assert "已被他人修改" in error["message"]
    ret.refresh_from_db()
    assert ret.multimedia_rooms == 11


def test_it_answers_412_when_if_match_names_an_older_version(city, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    etag = city.get(f"{RETURNS}{ret.pk}/")["ETag"]
    assert etag == f'"return-{ret.pk}-v1"'
    response = city.patch(
        f"{RETURNS}{ret.pk}/",
        {"version": 1, "multimedia_rooms": 3},
        format="json",
        HTTP_IF_MATCH=f'"return-{ret.pk}-v0"',
    )
    assert response.status_code == 412
    assert body(response)["error"]["code"] == "precondition_failed"


def test_it_answers_400_with_chinese_field_errors_from_the_return_rules(city, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    response = city.patch(
        f"{RETURNS}{ret.pk}/", {"version": 1, "classrooms": 5, "classrooms_connected": 9}, format="json"
    )
    assert response.status_code == 400
    error = body(response)["error"]
    assert error["code"] == "invalid"
    [problem] = error["fields"]["classrooms_connected"]
    assert problem["code"] == "invalid"
    assert "不能超过普通教室数" in problem["message"]
    ret.refresh_from_db()
    assert ret.version == 1


def test_it_answers_400_for_wrong_types_and_a_missing_version(city, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    response = city.patch(f"{RETURNS}{ret.pk}/", {"primary_students": "many", "classes": [{"grade": 1}]}, format="json")
    assert response.status_code == 400
    fields = body(response)["error"]["fields"]
    assert fields["version"][0]["code"] == "required"
    assert fields["primary_students"][0]["code"] == "invalid"
    assert "classes[0].section" in fields


def test_it_refuses_to_submit_an_incomplete_return(city, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round, figures={}, with_rows=False)
    response = city.post(f"{RETURNS}{ret.pk}/submit/", {"version": 1}, format="json")
    assert response.status_code == 400
    assert "primary_students" in body(response)["error"]["fields"]
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.DRAFT


def test_it_answers_409_for_a_submitted_return_and_a_closed_round(city, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round, status=ReturnStatus.SUBMITTED)
    response = city.patch(f"{RETURNS}{ret.pk}/", {"version": 1}, format="json")
    assert (response.status_code, body(response)["error"]["code"]) == (409, "not_editable")
    official_round.is_open = False
    official_round.save()
    response = city.post(RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, format="json")
    assert (response.status_code, body(response)["error"]["code"]) == (409, "round_closed")


def test_an_idempotency_key_replays_the_first_answer_and_creates_nothing_new(city, ganlu_school, official_round):
    headers = {"HTTP_IDEMPOTENCY_KEY": "start-2024-ganlu-1"}
    data = {"school": ganlu_school.pk, "round": official_round.pk}
    first = city.post(RETURNS, data, format="json", **headers)
    second = city.post(RETURNS, data, format="json", **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == first.content
    assert SchoolReturn.objects.count() == 1
    assert AuditEvent.objects.filter(action="return.start").count() == 1

    ret_id = body(first)["id"]
    patch_headers = {"HTTP_IDEMPOTENCY_KEY": "save-1"}
    one = city.patch(f"{RETURNS}{ret_id}/", _payload(1), format="json", **patch_headers)
    two = city.patch(f"{RETURNS}{ret_id}/", _payload(1), format="json", **patch_headers)
    assert (one.status_code, two.status_code) == (200, 200)  # not a 409: the second one never ran
    assert SchoolReturn.objects.get().version == 2
    assert AuditEvent.objects.filter(action="return.save").count() == 1


def test_an_idempotency_key_reused_for_another_body_is_refused(city, ganlu_school, jiangyi_school, official_round):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k1"}
    city.post(RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, format="json", **headers)
    response = city.post(RETURNS, {"school": jiangyi_school.pk, "round": official_round.pk}, format="json", **headers)
    assert (response.status_code, body(response)["error"]["code"]) == (422, "idempotency_key_reused")
    assert SchoolReturn.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_keys_of_different_users_do_not_collide(bearer, personas, ganlu_school, official_round, login):
    headers = {"HTTP_IDEMPOTENCY_KEY": "same"}
    city = bearer(personas[Role.API_CLIENT], "read", "returns:write")
    city.post(RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, format="json", **headers)
    client = login(personas["ganlu_official"])
    response = client.post(
        RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, content_type="application/json", **headers
    )
    assert response.status_code == 200  # the return exists already: started by the first, found by the second
    assert "Idempotent-Replayed" not in response


@pytest.mark.parametrize("persona", ["leadership", "department_officer", "auditor"])
def test_read_only_roles_write_nothing(login, personas, persona, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    client = login(personas[persona])
    attempts = [
        client.post(RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, content_type="application/json"),
        client.patch(f"{RETURNS}{ret.pk}/", {"version": 1, "multimedia_rooms": 1}, content_type="application/json"),
        client.post(f"{RETURNS}{ret.pk}/submit/", {"version": 1}, content_type="application/json"),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403]
    ret.refresh_from_db()
    assert (ret.version, ret.status, ret.multimedia_rooms) == (1, ReturnStatus.DRAFT, 11)


def test_the_api_client_session_without_a_token_writes_nothing(login, personas, ganlu_school, official_round):
    client = login(personas[Role.API_CLIENT])
    response = client.post(
        RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not SchoolReturn.objects.exists()


def test_jiangyis_official_can_neither_see_nor_write_ganlus_returns(
    login, jiangyi_official, ganlu_school, jiangyi_school, official_round
):
    ganlu_return = make_return(school=ganlu_school, round=official_round)
    own = make_return(school=jiangyi_school, round=official_round)
    client = login(jiangyi_official)
    listing = body(client.get(RETURNS))["results"]
    assert [r["id"] for r in listing] == [own.pk]
    for path in ("/api/v1/schools/", "/api/v1/townships/", RETURNS):
        assert "甘露镇" not in client.get(path).content.decode()
    assert client.get(f"{RETURNS}{ganlu_return.pk}/").status_code == 404
    response = client.patch(f"{RETURNS}{ganlu_return.pk}/", {"version": 1}, content_type="application/json")
    assert response.status_code == 404
    response = client.post(
        RETURNS, {"school": ganlu_school.pk, "round": official_round.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert body(response)["error"]["fields"]["school"][0]["code"] == "does_not_exist"
    assert SchoolReturn.objects.filter(school=ganlu_school).count() == 1


def test_a_key_whose_request_failed_is_released_at_once_and_the_retry_runs(
    city, ganlu_school, official_round, monkeypatch
):
    from django.db import OperationalError

    from schools import services as school_services

    real = school_services.return_start
    monkeypatch.setattr(school_services, "return_start", lambda **kw: (_ for _ in ()).throw(OperationalError("locked")))
    headers = {"HTTP_IDEMPOTENCY_KEY": "start-after-a-failure"}
    data = {"school": ganlu_school.pk, "round": official_round.pk}
    city.raise_request_exception = False
    failed = city.post(RETURNS, data, format="json", **headers)
    assert failed.status_code == 503
    monkeypatch.setattr(school_services, "return_start", real)
    retried = city.post(RETURNS, data, format="json", **headers)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert SchoolReturn.objects.count() == 1
