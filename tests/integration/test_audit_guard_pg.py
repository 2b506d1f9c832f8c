"""The audit table's PostgreSQL trigger: UPDATE and DELETE refused below the ORM; prune_audit still removes old rows."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from gongqing import audit, auditguard
from gongqing.models import AuditEvent, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _refused(action):
    with pytest.raises(DatabaseError, match="audit rows"), transaction.atomic():
        action()


def test_the_trigger_is_installed_on_postgresql():
    assert connection.vendor == "postgresql"
    assert auditguard.installed()


def test_updates_and_deletes_below_the_orm_are_refused(staff):
    event = audit.record(action="login", user=staff)
    _refused(lambda: AuditEvent._base_manager.filter(pk=event.pk).update(action="tampered"))
    _refused(lambda: QuerySet(AuditEvent).filter(pk=event.pk).update(username="nobody"))
    _refused(lambda: AuditEvent._base_manager.filter(pk=event.pk).delete())

    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    _refused(lambda: raw("UPDATE gongqing_auditevent SET action = 'tampered' WHERE id = %s"))
    _refused(lambda: raw("DELETE FROM gongqing_auditevent WHERE id = %s"))

    # Setting the flag by hand does not let a recent row go: the trigger checks the row's age as well.
    def flag_then_delete():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('gongqing.audit_prune', 'on', true)")
        raw("DELETE FROM gongqing_auditevent WHERE id = %s")

    _refused(flag_then_delete)
    assert AuditEvent.objects.get(pk=event.pk).action == "login"


def test_prune_audit_removes_only_rows_past_the_retention(staff):
    with time_machine.travel(timezone.now() - timedelta(days=181)):
        old = audit.record(action="login", user=staff)
    recent = audit.record(action="login", user=staff)
    call_command("prune_audit", "--older-than", "180")
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    _refused(lambda: auditguard.prune(timezone.now()))


def test_deleting_a_user_keeps_their_audit_rows(db):
    leaving = UserFactory(username="leaving")
    event = audit.record(action="login", user=leaving)
    User.objects.filter(pk=leaving.pk).delete()
    row = AuditEvent.objects.select_related("user").get(pk=event.pk)
    assert row.user is None and row.username == "leaving"
