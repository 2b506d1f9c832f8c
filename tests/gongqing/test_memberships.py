"""The membership kinds the apps register (gongqing.memberships), which the user administration is built from."""

from gongqing import memberships
from gongqing.roles import Role
from gongqing.views.users import UserForm
from schools.models import TownshipMembership
from supervision.models import BodyMembership
from tests.factories import UserFactory


def test_schools_and_supervision_each_register_the_scope_they_own_in_installed_apps_order():
    kinds = [(k.field, k.role, k.model) for k in memberships.KINDS]
    assert kinds == [
        ("township", Role.TOWNSHIP_OFFICIAL, TownshipMembership),
        ("body", Role.DEPARTMENT_OFFICER, BodyMembership),
    ]
    assert memberships.related_paths() == ["township_membership__township", "body_membership__body"]


def test_the_user_form_offers_a_township_and_a_department_after_the_users_own_fields(db, finance, ganlu):
    form = UserForm()
    assert list(form.fields) == ["username", "full_name", "phone", "role", "township", "body"]
    assert list(form.fields["body"].queryset) == [finance]  # departments only
    assert ganlu in form.fields["township"].queryset


def test_a_user_has_at_most_the_one_scope_their_role_calls_for(db, finance, ganlu):
    user = UserFactory(username="moved", role=Role.TOWNSHIP_OFFICIAL, township=ganlu)
    assert memberships.scope(user) == ganlu

    user.role = Role.DEPARTMENT_OFFICER
    memberships.scope_set(user=user, chosen={"township": ganlu, "body": finance})
    user = type(user).objects.get(pk=user.pk)
    assert not TownshipMembership.objects.filter(user=user).exists()
    assert memberships.scope(user) == finance and memberships.unit_id(user, memberships.KINDS[1]) == finance.pk

    user.role = Role.LEADERSHIP
    memberships.scope_set(user=user, chosen={"body": finance})
    assert not BodyMembership.objects.filter(user=user).exists()
    assert memberships.scope(type(user).objects.get(pk=user.pk)) is None
