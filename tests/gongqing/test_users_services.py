"""The user accounts' writes (gongqing/users.py): each stores the change, its membership and its audit row together,
or nothing at all."""

import pytest

from gongqing import users
from gongqing.models import AuditEvent, User
from gongqing.roles import Role
from schools.models import TownshipMembership
from tests.factories import UserFactory


class AuditDown(Exception):
    pass


@pytest.fixture
def audit_fails(monkeypatch):
    def fail(**kwargs):
        raise AuditDown

    monkeypatch.setattr("gongqing.audit.record", fail)


def test_a_new_official_is_stored_with_the_township_and_an_audit_row(ganlu):
    user = User(username="ganlu_new", role=Role.TOWNSHIP_OFFICIAL)
    password = users.user_save(user=user, old_role=None, units={"township": ganlu}, fields=["username", "role"])
    user.refresh_from_db()
    assert password and user.check_password(password) and user.must_change_password
    assert TownshipMembership.objects.get(user=user).township == ganlu
    event = AuditEvent.objects.get(action="user.create")
    assert event.object_id == str(user.pk)


def test_a_new_user_is_not_stored_without_its_audit_row(ganlu, audit_fails):
    user = User(username="ganlu_new", role=Role.TOWNSHIP_OFFICIAL)
    with pytest.raises(AuditDown):
        users.user_save(user=user, old_role=None, units={"township": ganlu}, fields=["username"])
    assert not User.objects.filter(username="ganlu_new").exists()
    assert not TownshipMembership.objects.exists()


def test_a_role_change_drops_the_township_in_the_same_transaction(ganlu, audit_fails):
    official = UserFactory(username="ganlu_x", role=Role.TOWNSHIP_OFFICIAL, township=ganlu)
    official.role = Role.LEADERSHIP
    with pytest.raises(AuditDown):
        users.user_save(user=official, old_role=Role.TOWNSHIP_OFFICIAL, units={}, fields=["role"])
    assert User.objects.get(pk=official.pk).role == Role.TOWNSHIP_OFFICIAL
    assert TownshipMembership.objects.filter(user=official, township=ganlu).exists()


def test_a_password_change_clears_a_forced_change_only_with_its_audit_row(db, audit_fails):
    user = UserFactory(username="forced")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    with pytest.raises(AuditDown):
        users.user_password_change(user=user, password="Kx7#mPq2vRt9", forced="admin")
    stored = User.objects.get(pk=user.pk)
    assert stored.must_change_password and not stored.check_password("Kx7#mPq2vRt9")


def test_a_password_change_stores_the_password_and_restarts_its_age(db):
    user = UserFactory(username="forced")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    before = user.password_changed_at
    users.user_password_change(user=user, password="Kx7#mPq2vRt9", forced="admin")
    stored = User.objects.get(pk=user.pk)
    assert stored.check_password("Kx7#mPq2vRt9") and not stored.must_change_password
    assert stored.password_changed_at > before
    assert AuditEvent.objects.get(action="password.change").detail.get("forced") == "admin"
