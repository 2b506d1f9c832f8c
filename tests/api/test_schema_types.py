"""The schema tells the truth: id and year filters are integers; NUL characters are refused as bad input (400)."""

import pytest

from gongqing.roles import Role

pytestmark = pytest.mark.django_db

RETURNS = "/api/v1/returns/"


@pytest.fixture
def schema(login, personas):
    client = login(personas[Role.BUREAU_STAFF])
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _query_parameters(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    yield path, method, parameter


def test_no_query_parameter_is_documented_as_a_bare_number(schema):
    numbers = [
        (p, param["name"]) for p, _m, param in _query_parameters(schema) if param["schema"].get("type") == "number"
    ]
    assert numbers == []


def test_id_and_year_filters_are_documented_as_integers(schema):
    types = {(p, param["name"]): param["schema"].get("type") for p, _m, param in _query_parameters(schema)}
    for name in ("school", "round", "township", "year"):
        assert types[(RETURNS, name)] == "integer", name
    integer_filters = [key for key, kind in types.items() if kind == "integer" and key[1] not in ("page", "limit")]
    assert len(integer_filters) >= 12  # every list route's id and year filters


def test_a_fractional_or_nul_filter_value_is_a_400(bearer, personas):
    city = bearer(personas[Role.API_CLIENT], "read")
    assert city.get(RETURNS, {"school": "1.5"}).status_code == 400
    assert city.get(RETURNS, {"school": "1\x00"}).status_code == 400
    response = city.get(RETURNS, {"status": "draft\x00"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


def test_a_nul_in_a_json_body_is_a_400(bearer, personas, ganlu_school, official_round):
    city = bearer(personas[Role.API_CLIENT], "read", "returns:write")
    body = f'{{"school": {ganlu_school.pk}, "round": {official_round.pk}, "note": "a\\u0000b"}}'
    response = city.post(RETURNS, body, content_type="application/json")
    assert response.status_code == 400
