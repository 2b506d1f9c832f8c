"""What every API call does, made cheaper (issue 17, item 4): the token read by a query compiled once per process
(gongqing.compiled) is still read fresh on every call, the per-call audit row is the row `audit.record` writes."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongqing import audit
from gongqing.api.auth import hash_token, token_by_hash
from gongqing.compiled import Compiled
from gongqing.models import ApiToken, AuditEvent, User
from gongqing.roles import Role
from schools.models import School
from tests.api.conftest import body

SCHOOLS = "/api/v1/schools/"


@pytest.fixture
def client_user(personas):
    return personas[Role.API_CLIENT]


def test_a_token_revoked_expired_or_disabled_between_two_calls_is_refused_at_the_second(
    api, client_user, token_for, ganlu_school
):
    for change in ("revoke", "expire", "disable"):
        raw = token_for(client_user)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert api.get(SCHOOLS).status_code == 200  # the compiled query has run for this process
        token = ApiToken.objects.get(key_hash=hash_token(raw))
        if change == "revoke":
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        elif change == "expire":
            ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        else:
            User.objects.filter(pk=client_user.pk).update(is_active=False)
        refused = api.get(SCHOOLS)
        assert refused.status_code == 401, change
        expected = {"revoke": "token_revoked", "expire": "token_expired", "disable": "user_inactive"}[change]
        assert body(refused)["error"]["code"] == expected
        User.objects.filter(pk=client_user.pk).update(is_active=True)


def test_the_token_row_is_the_select_related_one(client_user, token_for):
    raw = token_for(client_user, "read", "returns:write")
    fast = token_by_hash(hash_token(raw))
    slow = ApiToken.objects.select_related("user").get(key_hash=hash_token(raw))
    fields = [f.attname for f in ApiToken._meta.concrete_fields]
    assert [getattr(fast, f) for f in fields] == [getattr(slow, f) for f in fields]
    user_fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(fast.user, f) for f in user_fields] == [getattr(slow.user, f) for f in user_fields]
    assert isinstance(fast.expires_at, datetime) and timezone.is_aware(fast.expires_at)
    assert fast.user.is_active is True and fast.scope_set == {"read", "returns:write"}
    assert not fast._state.adding and fast._state.db == "default"
    assert token_by_hash(hash_token(raw + "x")) is None


def test_the_api_call_row_is_the_row_record_writes(rf, client_user):
    request = rf.get("/api/v1/schools/?page=2", REMOTE_ADDR="10.1.2.3")
    request.user = client_user
    detail = {"method": "GET", "path": "/api/v1/schools/?page=2", "status": 200, "token": "abcd1234"}
    audit.record(action="api.call", request=request, result="ok", **detail)
    before = timezone.now()
    audit.append(action="api.call", request=request, result="ok", **detail)
    old, new = AuditEvent.objects.filter(action="api.call").order_by("pk")
    columns = ["user_id", "username", "ip", "action", "object_type", "object_id", "result", "detail"]
    assert [getattr(new, c) for c in columns] == [getattr(old, c) for c in columns]
    assert new.user_id == client_user.pk and new.ip == "10.1.2.3" and new.detail["status"] == 200
    assert before <= new.at <= timezone.now()
    anonymous = rf.get("/api/v1/schools/", REMOTE_ADDR="10.1.2.4")
    audit.append(action="api.call", request=anonymous, result="refused", status=401)
    row = AuditEvent.objects.filter(action="api.call").latest("pk")
    assert (row.user_id, row.username, row.result, row.detail) == (None, "", "refused", {"status": 401})


def test_a_compiled_query_gives_the_querysets_rows_for_any_values(ganlu_school, jiangyi_school):
    by_ids = Compiled(lambda ids: School.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "code"))
    by_code = Compiled(lambda code, pk: School.objects.filter(code=code, pk=pk).values_list("pk", "name"))
    pks = sorted([ganlu_school.pk, jiangyi_school.pk])
    for ids in ([pks[0]], pks, [pks[1]], [pks[0], 10**9]):
        assert by_ids.rows(ids) == list(School.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "code"))
    assert by_ids.rows([]) == []  # an empty `__in`: no query, as the ORM
    assert by_code.rows(ganlu_school.code, ganlu_school.pk) == [(ganlu_school.pk, ganlu_school.name)]
    assert by_code.rows(ganlu_school.code, jiangyi_school.pk) == []
    with CaptureQueriesContext(connection) as ctx:
        by_code.rows(jiangyi_school.code, jiangyi_school.pk)
    assert len(ctx.captured_queries) == 1 and jiangyi_school.code in ctx.captured_queries[0]["sql"]


def test_a_value_the_query_transforms_is_never_kept_as_a_constant(ganlu_school, jiangyi_school):
    """A marker that does not come back as a parameter of its own (changed, or inside another) gives no plan: the
    queryset runs the ordinary way, with each call's value."""
    from gongqing.compiled import _holds

    after = Compiled(lambda pk: School.objects.filter(pk__gte=pk + 1).order_by("pk").values_list("pk"))
    suffixed = Compiled(lambda code: School.objects.filter(code=code + "").values_list("pk"))
    prefixed = Compiled(lambda code: School.objects.filter(name__startswith=code).values_list("pk"))
    low, high = sorted([ganlu_school.pk, jiangyi_school.pk])
    assert after.rows(low - 1) == [(low,), (high,)] and after.rows(low) == [(high,)]
    assert suffixed.rows(ganlu_school.code) == [(ganlu_school.pk,)]
    assert suffixed.rows(jiangyi_school.code) == [(jiangyi_school.pk,)]
    assert prefixed.rows(ganlu_school.name[:2]) == list(
        School.objects.filter(name__startswith=ganlu_school.name[:2]).values_list("pk")
    )
    assert prefixed.rows("no such school") == []
    assert list(prefixed._plans.values()) == [None]  # `LIKE marker%`: the marker inside another parameter
    assert _holds("%\x1em\x1e%", "\x1em\x1e") and _holds(2_000_000_000, 2_000_000_000)
    assert not _holds("other", "\x1em\x1e") and not _holds(2_000_000_001, 2_000_000_000)
