"""The audit log: how rows are written, who reads them, and that the portal offers no way to change them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from gongqing import audit, auditguard
from gongqing.models import AuditEvent
from gongqing.roles import Role


@pytest.fixture
def auditor(personas):
    return personas[Role.AUDITOR]


def test_a_record_keeps_who_where_what_and_the_object(staff, ganlu_school):
    request = RequestFactory().post("/x", REMOTE_ADDR="10.36.1.7")
    request.user = staff
    event = audit.record(action="school.save", request=request, obj=ganlu_school, fields=["name"])
    event.refresh_from_db()
    assert event.user == staff and event.username == "staff"
    assert event.ip == "10.36.1.7"
    assert event.action == "school.save" and event.result == "ok"
    assert event.object_type == "schools.school" and event.object_id == str(ganlu_school.pk)
    assert event.detail == {"fields": ["name"]}
    assert event.at is not None


def test_an_explicit_user_wins_over_the_request(staff, ganlu_official):
    request = RequestFactory().get("/")
    request.user = staff
    event = audit.record(action="x", user=ganlu_official, request=request)
    assert event.user == ganlu_official and event.username == "ganlu"


def test_a_failure_by_an_unknown_user_keeps_the_name_tried(db):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.1")
    request.user = AnonymousUser()
    event = audit.record(action="login.failed", request=request, result="failed", username="nobody")
    assert event.user is None and event.username == "nobody" and event.result == "failed"
    assert event.detail == {}


def test_a_record_without_a_request_has_no_address(staff):
    assert audit.record(action="task.run", user=staff).ip is None


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.BUREAU_ADMIN])
def test_the_auditor_and_the_admin_read_and_search_the_log(role, login, personas, staff):
    audit.record(action="return.approve", user=staff)
    audit.record(action="user.disable", user=personas[Role.BUREAU_ADMIN])
    client = login(personas[role])

    def shown(**query):
        return [r.action_code for r in client.get(reverse("audit_log"), query).context["rows"]]

    assert {"return.approve", "user.disable"} <= set(shown())
    assert shown(q="approve") == ["return.approve"]
    assert shown(q="staff") == ["return.approve"]
    assert shown(q="审核通过") == ["return.approve"]  # the action's Chinese name finds it too


def test_the_log_is_newest_first_and_paged(login, auditor, staff):
    client = login(auditor)
    with auditguard.unguarded():  # set-up only: the login itself is audited; count from here
        AuditEvent._base_manager.all().delete()
    AuditEvent.objects.bulk_create([AuditEvent(action=f"a{i:03d}", username="staff") for i in range(130)])
    first = client.get(reverse("audit_log")).context["page"]
    assert len(first) == 100 and first.paginator.count == 130
    second = client.get(reverse("audit_log"), {"page": 2}).context["page"]
    assert len(second) == 30
    assert {e.pk for e in first}.isdisjoint({e.pk for e in second})
    assert first[0].pk > second[0].pk


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, "ganlu_official"])
def test_other_roles_do_not_read_the_log(role, login, personas):
    assert login(personas[role]).get(reverse("audit_log")).status_code == 403


def test_posting_to_the_log_changes_nothing(login, auditor, staff):
    event = audit.record(action="return.approve", user=staff)
    client = login(auditor)
    before = AuditEvent.objects.count()  # the approval and the auditor's login
    response = client.post(reverse("audit_log"), {"action": "nothing", "id": event.pk})
    assert response.status_code in (200, 405)
    event.refresh_from_db()
    assert event.action == "return.approve" and AuditEvent.objects.count() == before


def test_no_route_of_the_portal_edits_or_deletes_audit_rows():
    def names(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from names(p.url_patterns)
            else:
                yield str(p.pattern)

    audit_routes = [route for route in names(get_resolver().url_patterns) if "audit" in route]
    assert audit_routes == ["audit/", "audit/export.xlsx"]


# The page's query count is pinned with objects of several models in test_audit_log.py.
