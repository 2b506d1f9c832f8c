"""What every signed-in request reads: the user with their scope and unread notices in one query, and the session's
refresh in one statement, with Django's semantics kept (inactive users refused, a vanished session not recreated)."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.urls import reverse

from gongqing.backends import UNREAD_AT_LOAD, UserBackend
from gongqing.models import Notice
from gongqing.sessions_db import SessionStore


def test_the_user_comes_with_their_township_and_unread_notices_in_one_query(ganlu_official, django_assert_num_queries):
    Notice.objects.create(user=ganlu_official, text="甲")
    Notice.objects.create(user=ganlu_official, text="乙")
    Notice.objects.create(user=ganlu_official, text="已读", read_at="2025-01-01T00:00:00Z")
    with django_assert_num_queries(1):
        user = UserBackend().get_user(ganlu_official.pk)
        assert user.township_membership.township.name == "甘露镇"
        assert getattr(user, UNREAD_AT_LOAD) == 2


def test_an_inactive_or_missing_user_is_not_signed_in(ganlu_official):
    ganlu_official.is_active = False
    ganlu_official.save(update_fields=["is_active"])
    assert UserBackend().get_user(ganlu_official.pk) is None
    assert UserBackend().get_user(10**9) is None


def test_the_badge_counts_the_unread_notices(login, ganlu_official):
    Notice.objects.create(user=ganlu_official, text="甲")
    Notice.objects.create(user=ganlu_official, text="乙")
    page = login(ganlu_official).get(reverse("notices")).content.decode()
    assert '<span class="badge">2</span>' in page


@pytest.mark.django_db
def test_refreshing_a_session_is_one_update(django_assert_num_queries):
    store = SessionStore()
    store["k"] = "v"
    store.create()
    again = SessionStore(store.session_key)
    again.load()
    again["k"] = "w"
    with django_assert_num_queries(1):
        again.save()
    assert SessionStore(store.session_key).load() == {"k": "w"}


@pytest.mark.django_db
def test_a_session_deleted_meanwhile_is_not_recreated_by_its_refresh():
    store = SessionStore()
    store["k"] = "v"
    store.create()
    Session.objects.filter(session_key=store.session_key).delete()  # logged out in another tab
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.filter(session_key=store.session_key).exists()
