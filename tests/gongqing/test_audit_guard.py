"""The audit table refuses UPDATE and DELETE below the ORM (SQLite triggers here; PostgreSQL in tests/integration)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from gongqing import audit, auditguard
from gongqing.models import AuditEvent, User
from gongqing.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _refused(action):
    with pytest.raises(DatabaseError, match="audit rows cannot be"), transaction.atomic():
        action()


def test_the_triggers_are_installed_by_the_migrations():
    assert auditguard.installed()


def test_updates_and_deletes_below_the_orm_are_refused_by_the_database(staff):
    event = audit.record(action="login", user=staff)
    _refused(lambda: AuditEvent._base_manager.filter(pk=event.pk).update(action="tampered"))
    _refused(lambda: QuerySet(AuditEvent).filter(pk=event.pk).update(username="nobody"))
    _refused(lambda: AuditEvent._base_manager.filter(pk=event.pk).delete())
    _refused(lambda: QuerySet(AuditEvent).filter(pk=event.pk).delete())

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    _refused(lambda: raw("UPDATE gongqing_auditevent SET action = 'tampered' WHERE id = %s"))
    _refused(lambda: raw("DELETE FROM gongqing_auditevent WHERE id = %s"))
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.action, event.username) == ("login", staff.username)


def test_an_old_row_is_refused_too_outside_the_pruning(staff):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = audit.record(action="login", user=staff)
    _refused(lambda: AuditEvent._base_manager.filter(pk=old.pk).delete())
    assert AuditEvent.objects.filter(pk=old.pk).exists()


def test_prune_audit_removes_only_rows_past_the_retention(staff):
    with time_machine.travel(timezone.now() - timedelta(days=181)):
        old = audit.record(action="login", user=staff)
    recent = audit.record(action="login", user=staff)
    call_command("prune_audit", "--older-than", "180")
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    # Even a prune asked for a too-short cutoff by hand is refused by the database (the trigger checks the age).
    _refused(lambda: auditguard.prune(timezone.now()))
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_deleting_a_user_keeps_their_audit_rows_and_name(personas, login):
    leaving = UserFactory(username="leaving")
    event = audit.record(action="login", user=leaving)
    username = leaving.username
    User.objects.filter(pk=leaving.pk).delete()
    row = AuditEvent.objects.select_related("user").get(pk=event.pk)
    assert row.user is None and row.user_id == event.user_id and row.username == username
    page = login(personas[Role.AUDITOR]).get(reverse("audit_log"), {"q": username})
    assert page.status_code == 200
    assert [r.action_code for r in page.context["rows"]] == ["login"]
