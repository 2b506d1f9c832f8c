"""Tokens: refused when missing, unknown, expired, revoked or lacking the scope; stored hashed; made and revoked by
bureau admins in the portal and on the command line."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from gongqing.api.auth import hash_token, token_create
from gongqing.models import ApiToken, AuditEvent
from gongqing.roles import Role
from tests.api.conftest import body

SCHOOLS = "/api/v1/schools/"


@pytest.fixture
def client_user(personas):
    return personas[Role.API_CLIENT]


def test_it_answers_a_request_without_credentials_with_401_and_the_error_shape(api, db):
    response = api.get(SCHOOLS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = body(response)["error"]
    assert error["code"] == "not_authenticated"
    assert error["message"] == "需要登录或提供有效的令牌。"
    assert error["fields"] == {}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "token_expired"),
        ({"revoked_at": timezone.now()}, "token_revoked"),
    ],
)
def test_it_refuses_an_expired_or_revoked_token(api, client_user, token_for, change, code):
    raw = token_for(client_user)
    ApiToken.objects.filter(key_hash=hash_token(raw)).update(**change)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get(SCHOOLS)
    assert response.status_code == 401
    assert body(response)["error"]["code"] == code
    assert AuditEvent.objects.filter(action="api.auth_failed", result="refused", detail__reason=code).count() == 1


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer", "Bearer a b", "Token abc"])
def test_it_refuses_unknown_or_malformed_credentials(api, client_user, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(SCHOOLS)
    assert response.status_code == 401
    assert body(response)["error"]["code"] in ("invalid_token", "not_authenticated")


def test_it_refuses_a_token_of_a_disabled_account(api, client_user, token_for):
    raw = token_for(client_user)
    client_user.is_active = False
    client_user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(SCHOOLS).status_code == 401


def test_a_valid_token_reads_and_records_its_last_use(api, client_user, token_for, ganlu_school):
    raw = token_for(client_user)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get(SCHOOLS)
    assert response.status_code == 200
    assert [s["code"] for s in body(response)["results"]] == [ganlu_school.code]
    assert ApiToken.objects.get(key_hash=hash_token(raw)).last_used_at is not None


def test_it_refuses_writes_to_a_read_only_token_and_reads_to_a_write_only_token(
    bearer, client_user, official_round, ganlu_school
):
    api = bearer(client_user, "read")
    response = api.post("/api/v1/returns/", {"school": ganlu_school.pk, "round": official_round.pk}, format="json")
    assert response.status_code == 403
    assert body(response)["error"]["code"] == "permission_denied"
    api = bearer(client_user, "returns:write")
    assert api.get(SCHOOLS).status_code == 403


def test_the_token_is_stored_only_as_its_hash(api, client_user, token_for, ganlu_school):
    raw = token_for(client_user)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.get(SCHOOLS)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}x")  # a refused attempt is audited too
    api.get(SCHOOLS)
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw)
    assert token.prefix == raw[:8]
    if connection.vendor == "sqlite":
        dump = "\n".join(connection.connection.iterdump())
        assert token.key_hash in dump  # the dump is the whole database
        assert raw not in dump
    else:
        for event in AuditEvent.objects.all():
            assert raw not in str(event.detail)


def test_the_command_creates_lists_and_revokes_a_token(api, client_user, ganlu_school):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token",
        "create",
        "九江市平台",
        "--user",
        client_user.username,
        "--scope",
        "read",
        "--scope",
        "returns:write",
        "--expires",
        "30",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert hash_token(raw) == token.key_hash
    assert token.scope_set == {"read", "returns:write"}
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(SCHOOLS).status_code == 200

    listing = io.StringIO()
    call_command("api_token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and raw not in listing.getvalue()

    call_command("api_token", "revoke", token.prefix, stdout=io.StringIO())
    assert api.get(SCHOOLS).status_code == 401
    assert AuditEvent.objects.filter(action__in=["api_token.create", "api_token.revoke"]).count() == 2


@pytest.mark.parametrize("user_args", [[], ["--user", "jiujiang_typo"]], ids=["no --user", "unknown --user"])
def test_the_command_without_a_known_user_names_the_api_client_accounts_and_makes_nothing(personas, user_args):
    with pytest.raises(CommandError) as refused:
        call_command("api_token", "create", "九江市平台", *user_args, "--scope", "read", stderr=io.StringIO())
    assert "API client accounts: jiujiang." in str(refused.value)  # the conftest's api_client persona
    assert ApiToken.objects.count() == 0


def test_the_command_revokes_by_name_when_one_active_token_has_it(client_user):
    first, _ = token_create(user=client_user, name="九江市平台", scopes=["read"])
    call_command("api_token", "revoke", "九江市平台", stdout=io.StringIO())
    first.refresh_from_db()
    assert first.revoked_at is not None

    # The revoked one no longer counts; two active tokens of one name need the prefix.
    second, _ = token_create(user=client_user, name="九江市平台", scopes=["read"])
    third, _ = token_create(user=client_user, name="九江市平台", scopes=["read"])
    with pytest.raises(CommandError) as refused:
        call_command("api_token", "revoke", "九江市平台", stdout=io.StringIO())
    assert second.prefix in str(refused.value) and third.prefix in str(refused.value)
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2
    call_command("api_token", "revoke", third.prefix, stdout=io.StringIO())
    assert set(ApiToken.objects.filter(revoked_at__isnull=True)) == {second}


def test_a_bureau_admin_makes_a_token_shown_once_and_revokes_it(login, personas, client_user):
    client = login(personas[Role.BUREAU_ADMIN])
    response = client.post(
        "/api/tokens/", {"name": "九江市平台", "user": client_user.pk, "scopes": ["read"], "days": 90}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    raw = response.context["raw"]
    assert hash_token(raw) == token.key_hash
    assert raw in response.content.decode()
    listing = client.get("/api/tokens/").content.decode()
    assert token.prefix in listing and raw not in listing

    client.post(f"/api/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_staff_who_are_not_admins_cannot_make_tokens(login, personas, client_user):
    client = login(personas[Role.BUREAU_STAFF])
    response = client.post("/api/tokens/", {"name": "x", "user": client_user.pk, "scopes": ["read"], "days": 9})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
