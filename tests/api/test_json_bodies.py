"""Every JSON body of the API is held to 1 MB and 32 levels (issue 11, finding 4): deep nesting was a 500."""

import base64
import json

import pytest

from gongqing.roles import Role
from tests.api.conftest import body

RETURNS = "/api/v1/returns/"


@pytest.fixture
def city(bearer, personas):
    return bearer(personas[Role.API_CLIENT], "read", "returns:write")


def test_deeply_nested_json_to_the_api_is_a_400_with_the_reason(city, official_round):
    response = city.post(RETURNS, data=b"[" * 5000 + b"]" * 5000, content_type="application/json")
    assert response.status_code == 400
    error = body(response)["error"]
    assert error["code"] == "parse_error" and "嵌套层级过深（超过32层）" in error["message"]


def test_a_body_over_a_megabyte_is_a_400_before_it_is_read_even_with_an_idempotency_key(city, official_round):
    big = json.dumps({"school": 1, "round": 1, "pad": "x" * (1024 * 1024)})
    response = city.post(RETURNS, data=big, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 400
    assert "JSON数据过大" in body(response)["error"]["message"]


def test_a_deep_cursor_is_a_400():
    """The cursor is JSON the client sends back: nesting in it is refused like any other."""
    from gongqing.api.pagination import KeysetPagination

    raw = base64.urlsafe_b64encode(b"[" * 2000 + b"]" * 2000).decode().rstrip("=")
    with pytest.raises(Exception) as caught:
        KeysetPagination().decode(raw, type("View", (), {"keyset": ("id",)})())
    assert getattr(caught.value, "status_code", None) == 400
