"""Refused pages (403) and out-of-scope objects (404) are audited like the API's refusals (issue 11, finding 7).

Repeated refusals of one person on one kind of object within a minute fold into one summary row with a count; audit
rows stay append-only and nothing is lost: first row + summary count = every refusal.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from gongqing import refusals
from gongqing.models import AuditEvent, Notice, RefusalWindow
from gongqing.roles import Role
from tests.factories import SchoolFactory, make_return

ADDRESS = "10.36.9.14"
START = datetime.datetime(2026, 3, 2, 9, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture
def jiangyi_client(client, jiangyi_official):
    client.force_login(jiangyi_official)
    client.defaults["REMOTE_ADDR"] = ADDRESS
    return client


def _new_rows(since_pk):
    return list(AuditEvent.objects.filter(pk__gt=since_pk).order_by("pk"))


def _last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_opening_another_townships_school_by_url_is_a_404_and_an_audit_row(jiangyi_client, ganlu_school):
    before = _last_pk()
    response = jiangyi_client.get(reverse("schools:detail", args=[ganlu_school.pk]))
    assert response.status_code == 404
    [row] = _new_rows(before)
    assert row.action == "access.refused" and row.result == "refused"
    assert row.username == "jiangyi" and row.ip == ADDRESS
    assert (row.object_type, row.object_id) == ("schools.school", str(ganlu_school.pk))
    assert row.detail == {"method": "GET", "path": f"/schools/{ganlu_school.pk}/", "status": 404}


def test_a_url_naming_nothing_is_a_plain_404_and_not_recorded(jiangyi_client, ganlu_school):
    before = _last_pk()
    missing = ganlu_school.pk + 1000
    assert jiangyi_client.get(reverse("schools:detail", args=[missing])).status_code == 404
    assert jiangyi_client.get("/no/such/page/").status_code == 404
    assert _new_rows(before) == []


def test_a_soft_deleted_school_counts_as_missing_not_as_a_refusal(jiangyi_client, ganlu_school):
    ganlu_school.deleted_at = timezone.now()
    ganlu_school.save(update_fields=["deleted_at"])
    before = _last_pk()
    assert jiangyi_client.get(reverse("schools:detail", args=[ganlu_school.pk])).status_code == 404
    assert _new_rows(before) == []


def test_the_same_object_is_still_served_to_its_own_township_without_a_row(client, ganlu_official, ganlu_school):
    client.force_login(ganlu_official)
    before = _last_pk()
    assert client.get(reverse("schools:detail", args=[ganlu_school.pk])).status_code == 200
    assert _new_rows(before) == []


@pytest.mark.parametrize(
    ("method", "route", "label"),
    [
        ("get", "schools:return_detail", "schools.schoolreturn"),
        ("post", "schools:return_start", "schools.school"),
        ("get", "schools:exchange_template", "schools.township"),
    ],
)
def test_other_scoped_lookups_are_recorded_too(method, route, label, jiangyi_client, ganlu, official_round):
    school = SchoolFactory(township=ganlu)
    args = {
        "schools:return_detail": lambda: [make_return(school=school, round=official_round).pk],
        "schools:return_start": lambda: [school.pk, official_round.pk],
        "schools:exchange_template": lambda: [official_round.pk, ganlu.pk],
    }[route]()
    before = _last_pk()
    response = getattr(jiangyi_client, method)(reverse(route, args=args))
    assert response.status_code == 404
    [row] = _new_rows(before)
    assert row.action == "access.refused" and row.object_type == label


def test_another_persons_notice_is_a_refusal(client, ganlu_official, jiangyi_official):
    notice = Notice.objects.create(user=ganlu_official, text="请查看")
    client.force_login(jiangyi_official)
    before = _last_pk()
    assert client.post(reverse("notice_read", args=[notice.pk])).status_code == 404
    [row] = _new_rows(before)
    assert (row.object_type, row.object_id) == ("gongqing.notice", str(notice.pk))


def test_a_page_refused_by_its_role_check_is_recorded_with_its_route(client, personas):
    client.force_login(personas[Role.AUDITOR])
    before = _last_pk()
    assert client.get(reverse("reports:list")).status_code == 403
    [row] = _new_rows(before)
    assert row.action == "access.refused" and row.username == "auditor" and row.object_type == ""
    assert row.detail == {"method": "GET", "path": "/reports/", "status": 403, "route": "reports:list"}


def test_anonymous_visitors_are_not_recorded(client, ganlu_school):
    before = _last_pk()
    response = client.get(reverse("schools:detail", args=[ganlu_school.pk]))
    assert response.status_code == 302
    assert _new_rows(before) == []


def test_an_api_refusal_stays_one_api_call_row(client, jiangyi_official, ganlu_school):
    client.force_login(jiangyi_official)
    before = _last_pk()
    response = client.get(f"/api/v1/schools/{ganlu_school.pk}/")
    assert response.status_code in (403, 404)
    assert [r.action for r in _new_rows(before)] == ["api.call"]


def _crawl(client, schools, start):
    for i, school in enumerate(schools):
        with time_machine.travel(start + datetime.timedelta(seconds=2 * i), tick=False):
            assert client.get(reverse("schools:detail", args=[school.pk])).status_code == 404


def test_a_crawler_within_a_minute_leaves_one_row_and_one_summary_with_the_count(jiangyi_client, ganlu):
    schools = [SchoolFactory(township=ganlu) for _ in range(25)]
    before = _last_pk()
    _crawl(jiangyi_client, schools, START)  # 25 refusals in 48 s
    rows = _new_rows(before)
    assert [r.action for r in rows] == ["access.refused"]
    assert rows[0].object_id == str(schools[0].pk)
    window = RefusalWindow.objects.get()
    assert window.count == 24 and len(window.samples) == refusals.SAMPLES_KEPT
    # The next refusal after the minute closes the window: its summary first, then a new first row.
    _crawl(jiangyi_client, schools[:1], START + datetime.timedelta(seconds=61))
    rows = _new_rows(before)
    assert [r.action for r in rows] == ["access.refused", "access.refused_repeated", "access.refused"]
    summary = rows[1]
    assert summary.result == "refused" and summary.username == "jiangyi" and summary.ip == ADDRESS
    assert summary.object_type == "schools.school" and summary.object_id == ""
    assert summary.detail["count"] == 24 and summary.detail["first_event"] == rows[0].pk
    assert summary.detail["samples"] == [str(s.pk) for s in schools[1:21]]
    # Nothing lost: 1 + 24 + 1 refusals.
    assert 1 + summary.detail["count"] + 1 == 26


def test_a_closed_minute_is_summarised_by_the_flush_without_a_further_refusal(jiangyi_client, ganlu, login, personas):
    schools = [SchoolFactory(township=ganlu) for _ in range(4)]
    before = _last_pk()
    _crawl(jiangyi_client, schools, START)
    assert refusals.flush_closed(now=START + datetime.timedelta(seconds=59)) == 0  # the minute is not over
    assert refusals.flush_closed(now=START + datetime.timedelta(seconds=60)) == 1
    assert refusals.flush_closed(now=START + datetime.timedelta(seconds=120)) == 0  # written once
    assert not RefusalWindow.objects.exists()
    rows = _new_rows(before)
    assert [r.action for r in rows] == ["access.refused", "access.refused_repeated"]
    assert rows[1].detail["count"] == 3


def test_the_audit_log_page_flushes_closed_minutes_before_it_reads(jiangyi_client, ganlu, client, personas):
    schools = [SchoolFactory(township=ganlu) for _ in range(3)]
    _crawl(jiangyi_client, schools, START)
    jiangyi_client.logout()
    client.force_login(personas[Role.AUDITOR])
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False):
        rows = client.get(reverse("audit_log"), {"action": "access.refused_repeated"}).context["rows"]
    assert [(r.action_code, r.event.detail["count"]) for r in rows] == [("access.refused_repeated", 2)]


def test_a_single_refusal_leaves_no_summary(jiangyi_client, ganlu_school):
    before = _last_pk()
    _crawl(jiangyi_client, [ganlu_school], START)
    refusals.flush_closed(now=START + datetime.timedelta(minutes=2))
    assert [r.action for r in _new_rows(before)] == ["access.refused"]
    assert not RefusalWindow.objects.exists()


def test_kinds_and_people_fold_separately(client, jiangyi_client, ganlu, official_round, personas):
    school = SchoolFactory(township=ganlu)
    ret = make_return(school=school, round=official_round)
    before = _last_pk()
    with time_machine.travel(START, tick=False):
        jiangyi_client.get(reverse("schools:detail", args=[school.pk]))
        jiangyi_client.get(reverse("schools:return_detail", args=[ret.pk]))
        jiangyi_client.get(reverse("reports:list"))
        jiangyi_client.get(reverse("reports:list"))
        other = type(client)(REMOTE_ADDR="10.36.9.15")
        other.force_login(personas[Role.AUDITOR])
        other.get(reverse("reports:list"))
    rows = [r for r in _new_rows(before) if r.action != "login"]
    assert [(r.username, r.action, r.object_type) for r in rows] == [
        ("jiangyi", "access.refused", "schools.school"),
        ("jiangyi", "access.refused", "schools.schoolreturn"),
        ("jiangyi", "access.refused", ""),
        ("auditor", "access.refused", ""),
    ]
    assert RefusalWindow.objects.get(user__username="jiangyi", kind="page:reports:list").count == 1


def test_folding_never_changes_an_audit_row(jiangyi_client, ganlu, monkeypatch):
    """Append-only: the whole refusal path only ever inserts audit rows."""
    schools = [SchoolFactory(township=ganlu) for _ in range(5)]
    saves = []
    original = AuditEvent.save

    def spy(self, *args, **kwargs):
        saves.append(self._state.adding)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AuditEvent, "save", spy)
    _crawl(jiangyi_client, schools, START)
    _crawl(jiangyi_client, schools[:1], START + datetime.timedelta(minutes=3))
    assert saves == [True, True, True]  # first row, summary, new first row: inserts only


def test_the_beat_schedule_flushes_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-refusal-summaries"]
    assert entry["task"] == "gongqing.tasks.flush_refusals" and entry["schedule"] == 60.0
    from gongqing.tasks import flush_refusals

    assert flush_refusals.name == "gongqing.tasks.flush_refusals"
