"""Fixtures of the API tests: a DRF client, tokens for personas, JSON read back with exact decimals."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from gongqing.api.auth import token_create


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_for():
    def make(user, *scopes, days=30):
        _token, raw = token_create(user=user, name=f"{user.username} 测试令牌", scopes=scopes or ["read"], days=days)
        return raw

    return make


@pytest.fixture
def bearer(api, token_for):
    """An API client authenticated with a fresh token of `user` carrying `scopes`."""

    def use(user, *scopes):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, *scopes)}")
        return api

    return use


def body(response):
    """The JSON of a response, numbers with a fraction as Decimals (as a careful client reads them)."""
    return json.loads(response.content, parse_float=Decimal)
