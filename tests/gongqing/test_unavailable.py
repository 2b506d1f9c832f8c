"""A database that cannot be reached gives a 503 with a clear message (JSON under /api/), not a bare 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path


def lost(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def closed(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise ValueError("a real bug")


urlpatterns = [path("page/", lost), path("api/v1/thing/", closed), path("bug/", bug), path("api/v1/bug/", bug)]
handler500 = "gongqing.views.errors.handler500"

pytestmark = pytest.mark.urls(__name__)


def test_a_page_says_the_database_is_away_with_503_and_retry_after():
    response = Client(raise_request_exception=False).get("/page/")
    assert response.status_code == 503 and response["Retry-After"] == "15"
    assert "数据库暂时无法连接" in response.content.decode()


def test_the_api_answers_503_in_its_error_shape():
    response = Client(raise_request_exception=False).get("/api/v1/thing/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"


def test_a_real_bug_stays_a_500():
    client = Client(raise_request_exception=False)
    assert client.get("/bug/").status_code == 500
    api = client.get("/api/v1/bug/")
    assert api.status_code == 500 and api.json()["error"]["code"] == "server_error"
