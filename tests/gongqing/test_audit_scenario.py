"""SECURITY.md row 7: a scripted scenario of security and business events leaves exactly the audit rows expected, each
with who, when, what, result and the address; and audit rows cannot be changed or deleted.

The scenario is a list of steps, one line each: (what happens, the audit actions it must leave). Adding an event to
the scenario is adding one line to SCENARIO (and, if it needs one, a small function above it).
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongqing.api.auth import token_create, token_revoke
from gongqing.models import AuditEvent, AuditRowImmutable
from gongqing.roles import Role
from schools.models import SchoolReturn
from supervision.models import Cycle, Stage
from supervision.reports.models import Report, ReportStatus
from tests.factories import SchoolFactory, make_return
from tests.schools.postdata import current_form_data
from tests.schools.test_exchange_csv import classes_csv, returns_csv, rooms_csv

ADDRESS = "10.36.8.21"


class Scenario:
    """The actors and objects the steps use; every request comes from ADDRESS."""

    def __init__(self, personas, ganlu, official_round):
        self.personas = personas
        self.round = official_round
        self.school = SchoolFactory(township=ganlu, name="甘露镇审计小学")
        self.imported_school = SchoolFactory(township=ganlu, name="甘露镇导入小学")
        self.school_return = make_return(school=self.school, round=official_round)
        self.anonymous = Client(REMOTE_ADDR=ADDRESS)
        self.admin = Client(REMOTE_ADDR=ADDRESS)
        self.admin.force_login(personas[Role.BUREAU_ADMIN])
        self.staff = Client(REMOTE_ADDR=ADDRESS)
        self.staff.force_login(personas[Role.BUREAU_STAFF])
        self.jiangyi = Client(REMOTE_ADDR=ADDRESS)  # 江益镇's official, trying 甘露镇's objects by URL
        self.jiangyi.force_login(personas["jiangyi_official"])
        _token, self.token = token_create(user=personas[Role.API_CLIENT], name="市局对接", scopes=["read"])
        revoked, self.revoked_token = token_create(user=personas[Role.API_CLIENT], name="已吊销", scopes=["read"])
        token_revoke(token=revoked)


def login_ok(s):
    assert s.anonymous.post(reverse("login"), {"username": "ganlu", "password": _password()}).status_code == 302


def logout(s):
    s.anonymous.post(reverse("logout"))


def login_failed(s):
    s.anonymous.post(reverse("login"), {"username": "leader", "password": "wrong-password"})


def lockout(s):
    for _ in range(4):  # the 2nd to 5th failure of the same account: the 5th locks it
        login_failed(s)


def unlock(s):
    assert s.admin.post(reverse("user_unlock", args=[s.personas[Role.LEADERSHIP].pk])).status_code == 302


def role_change(s):
    user = s.personas[Role.DEPARTMENT_OFFICER]
    data = {"username": user.username, "full_name": "", "phone": "", "role": Role.LEADERSHIP}
    assert s.admin.post(reverse("user_edit", args=[user.pk]), data).status_code == 302


def return_edit(s):
    data = current_form_data(s.school_return, multimedia_rooms=12)
    response = s.staff.post(reverse("schools:return_edit", args=[s.school_return.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]


def return_submit(s):
    assert s.staff.post(reverse("schools:return_submit", args=[s.school_return.pk])).status_code == 302


def return_approve(s):
    assert s.staff.post(reverse("schools:return_approve", args=[s.school_return.pk])).status_code == 302


def import_csv(s):
    files = [
        SimpleUploadedFile(name, text.encode(), content_type="text/csv")
        for name, text in (
            ("returns.csv", returns_csv(s.imported_school)),
            ("classes.csv", classes_csv(s.imported_school)),
            ("rooms.csv", rooms_csv(s.imported_school)),
        )
    ]
    response = s.staff.post(reverse("schools:exchange_upload", args=[s.round.pk]), {"files": files})
    assert 'id="import-result"' in response.content.decode()


def export_xlsx(s):
    assert s.staff.get(reverse("schools:exchange_export", args=[s.round.pk])).status_code == 200


def export_csv(s):
    assert s.staff.get(reverse("schools:exchange_export_csv", args=[s.round.pk])).status_code == 200


def api_call(s):
    response = Client(REMOTE_ADDR=ADDRESS).get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Bearer {s.token}")
    assert response.status_code == 200


def api_call_with_a_revoked_token(s):
    response = Client(REMOTE_ADDR=ADDRESS).get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Bearer {s.revoked_token}")
    assert response.status_code == 401


def report_download(s):
    stage = Stage.objects.create(
        cycle=Cycle.objects.create(name="审计场景周期"), number=4, name="自查评估", ends=datetime.date(2026, 3, 31)
    )
    report = Report.objects.create(
        cycle=stage.cycle,
        stage=stage,
        school_year=s.round.school_year,
        round=s.round,
        version=1,
        draft_revision=1,
        status=ReportStatus.DONE,
        title="审计场景报告",
    )
    report.file.save(f"audit-scenario-{report.pk}.pdf", ContentFile(b"%PDF-1.7 scenario"), save=True)
    response = s.staff.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def page_refused(s):
    assert s.jiangyi.get(reverse("reports:list")).status_code == 403


def objects_refused(s):
    """Three of 甘露镇's schools by URL within a minute: one row now, the other two counted."""
    for school in (s.school, s.imported_school, s.school):
        assert s.jiangyi.get(reverse("schools:detail", args=[school.pk])).status_code == 404


def refusals_summarised(s):
    """The minute closes: the count becomes one summary row (the beat task or the audit log page does this)."""
    from gongqing import refusals

    assert refusals.flush_closed(now=timezone.now() + datetime.timedelta(seconds=61)) == 1


def _password():
    from tests.factories import PASSWORD

    return PASSWORD


SCENARIO = [
    (login_ok, ["login"]),
    (logout, ["logout"]),
    (login_failed, ["login.failed"]),
    (lockout, ["login.failed"] * 4 + ["account.locked"]),
    (unlock, ["account.unlock"]),
    (role_change, ["user.change"]),
    (return_edit, ["return.save"]),
    (return_submit, ["return.submit"]),
    (return_approve, ["return.approve"]),
    (import_csv, ["return.start", "return.save", "import"]),
    (export_xlsx, ["export"]),
    (export_csv, ["export"]),
    (api_call, ["api.call"]),
    (api_call_with_a_revoked_token, ["api.auth_failed"]),
    (report_download, ["report.download"]),
    (page_refused, ["access.refused"]),
    (objects_refused, ["access.refused"]),
    (refusals_summarised, ["access.refused_repeated"]),
]


@pytest.fixture
def scenario(personas, ganlu, official_round):
    return Scenario(personas, ganlu, official_round)


def test_every_event_of_the_scenario_leaves_exactly_its_audit_rows(scenario):
    start = timezone.now()
    expected_total = sum(len(actions) for _step, actions in SCENARIO)
    first = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for step, actions in SCENARIO:
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        step(scenario)
        rows = list(AuditEvent.objects.filter(pk__gt=before).order_by("pk"))
        assert [r.action for r in rows] == actions, step.__name__
    rows = list(AuditEvent.objects.filter(pk__gt=first).order_by("pk"))
    assert len(rows) == expected_total == 24
    for row in rows:
        assert row.username, (row.action, "who")
        assert row.at is not None and row.at >= start, (row.action, "when")
        assert row.action and row.result, (row.action, "what / result")
        assert row.ip == ADDRESS, (row.action, "from where")
    results = {r.action: r.result for r in rows}
    assert results["login.failed"] == "failed" and results["account.locked"] == "locked"
    assert results["api.auth_failed"] == "refused" and results["api.call"] == "ok"
    by_action = {r.action: r for r in rows}
    assert by_action["user.change"].detail["role"] == Role.LEADERSHIP
    assert by_action["user.change"].detail["old_role"] == Role.DEPARTMENT_OFFICER
    assert by_action["api.call"].username == "jiujiang" and by_action["api.call"].detail["status"] == 200
    assert [r.detail["format"] for r in rows if r.action == "export"] == ["xlsx", "csv"]
    refused = [r for r in rows if r.action.startswith("access.")]
    assert {(r.username, r.result) for r in refused} == {("jiangyi", "refused")}
    assert [r.detail.get("status") for r in refused[:2]] == [403, 404]
    assert refused[2].detail["count"] == 2 and refused[2].object_type == "schools.school"
    assert SchoolReturn.objects.get(pk=scenario.school_return.pk).status == "approved"


def test_an_audit_row_cannot_be_changed_or_deleted(staff):
    from gongqing import audit

    event = audit.record(action="return.approve", user=staff)
    event.action = "nothing happened"
    with pytest.raises(AuditRowImmutable):
        event.save()
    with pytest.raises(AuditRowImmutable):
        event.delete()
    with pytest.raises(AuditRowImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing happened")
    with pytest.raises(AuditRowImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "return.approve"


def test_no_route_of_the_portal_writes_to_the_audit_log_except_by_recording(login, personas):
    """The only audit page is the read-only log; a POST there changes nothing (see test_audit.py for the route list)."""
    client = login(personas[Role.AUDITOR])
    before = AuditEvent.objects.count()
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(reverse("audit_log"))
        assert response.status_code in (200, 405)
    assert AuditEvent.objects.count() == before


def test_pruning_refuses_a_retention_under_180_days(staff):
    from datetime import timedelta

    import time_machine

    from gongqing import audit

    with time_machine.travel(timezone.now() - timedelta(days=200)):
        old = audit.record(action="login", user=staff)
    with time_machine.travel(timezone.now() - timedelta(days=100)):
        recent = audit.record(action="login", user=staff)
    with pytest.raises(CommandError, match="180"):
        call_command("prune_audit", "--older-than", "179")
    assert AuditEvent.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2
    call_command("prune_audit", "--older-than", "180")
    assert list(AuditEvent.objects.filter(pk__in=[old.pk, recent.pk])) == [recent]
    assert AuditEvent.objects.filter(action="audit.prune").get().detail["deleted"] == 1
