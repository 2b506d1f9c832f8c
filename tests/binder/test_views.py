"""The binder's page: a click builds (eagerly in tests), progress reads as JSON, downloads are audited; an official's
click builds their own township's binder."""

from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision.binder.models import Binder, BinderStatus


def test_leadership_builds_the_county_binder_and_its_download_is_audited(
    county, cycle, official_round, personas, client, django_capture_on_commit_callbacks
):
    client.force_login(personas[Role.LEADERSHIP])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("binder:build"), {"cycle": cycle.pk, "round": official_round.pk})
    assert response.status_code == 302
    binder = Binder.objects.get()
    assert binder.township_id is None and binder.status == BinderStatus.DONE
    status = client.get(reverse("binder:status", args=[binder.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["download"]
    response = client.get(reverse("binder:download", args=[binder.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(reverse("binder:index", args=[binder.pk]))["Content-Type"] == "application/pdf"
    parts = sorted(e.detail["part"] for e in AuditEvent.objects.filter(action="binder.download"))
    assert parts == ["file", "index_file"]
    page = client.get(reverse("binder:list")).content.decode()
    assert "全县" in page and "下载档案（zip）" in page


def test_an_officials_click_builds_their_townships_binder_which_the_other_official_cannot_open(
    county, cycle, official_round, personas, client, ganlu, django_capture_on_commit_callbacks
):
    client.force_login(personas["ganlu_official"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("binder:build"), {"cycle": cycle.pk, "round": official_round.pk})
    binder = Binder.objects.get()
    assert binder.township_id == ganlu.pk and binder.status == BinderStatus.DONE
    client.force_login(personas["jiangyi_official"])
    assert client.get(reverse("binder:download", args=[binder.pk])).status_code == 404
    assert "甘露镇" not in client.get(reverse("binder:list")).content.decode()


def test_a_request_with_an_unknown_round_changes_nothing(county, cycle, personas, client):
    client.force_login(personas[Role.BUREAU_STAFF])
    response = client.post(reverse("binder:build"), {"cycle": cycle.pk, "round": 999999}, follow=True)
    assert not Binder.objects.exists()
    assert "“数据批次”：请选择一个已有评估结果的批次。" in response.content.decode()
