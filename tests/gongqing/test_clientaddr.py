"""The client's address behind the TLS proxy (issue 11, finding 2; SECURITY.md row 4): X-Forwarded-For is believed
only through the proxies in TRUSTED_PROXIES, walked from the right, and the one answer is used by the login delay,
the audit log and the API throttles."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from gongqing.api.throttling import ClientRateThrottle
from gongqing.clientaddr import check_trusted_proxies, client_address
from gongqing.models import AuditEvent

PROXY = "127.0.0.1"  # nginx on the same host, as in docs/operations.md
LOGIN = "/accounts/login/"


def request(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("198.51.100.7", "10.0.0.1")) == "198.51.100.7"
    assert client_address(request("198.51.100.7")) == "198.51.100.7"


def test_behind_one_trusted_proxy_the_client_is_the_address_left_of_it(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request(PROXY, "203.0.113.9")) == "203.0.113.9"


def test_a_forged_left_most_entry_does_not_win_over_what_the_proxy_appended(settings):
    """The client sent `X-Forwarded-For: 10.36.1.1, 127.0.0.1`; nginx appended the address it saw."""
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request(PROXY, "10.36.1.1, 127.0.0.1, 203.0.113.9")) == "203.0.113.9"


def test_a_request_that_bypasses_the_trusted_proxy_is_its_own_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request("198.51.100.7", "10.36.1.1")) == "198.51.100.7"


def test_two_proxies_in_a_trusted_network_are_walked_past(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    assert client_address(request("10.0.0.6", "1.1.1.1, 203.0.113.9, 10.0.0.5")) == "203.0.113.9"
    assert client_address(request("::1", "2001:db8::7")) == "2001:db8::7"


def test_a_count_of_proxies_takes_that_many_hops_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["1"]
    assert client_address(request("192.0.2.1", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    settings.TRUSTED_PROXIES = ["2"]
    assert client_address(request("192.0.2.1", "1.1.1.1, 203.0.113.9, 192.0.2.2")) == "203.0.113.9"
    assert client_address(request("192.0.2.1")) == "192.0.2.1"  # fewer hops than proxies: the left-most


def test_proxy_spellings_of_addresses_are_understood(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request(PROXY, "[2001:db8::7]:4711")) == "2001:db8::7"
    assert client_address(request(PROXY, "203.0.113.9:4711")) == "203.0.113.9"
    assert client_address(request(PROXY, "::ffff:203.0.113.9")) == "203.0.113.9"


def test_a_broken_header_gives_the_last_hop_a_trusted_proxy_vouched_for(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_address(request(PROXY, "203.0.113.9, unknown")) == PROXY
    assert client_address(request(PROXY, "")) == PROXY


def test_a_wrong_setting_is_refused_by_the_system_check(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "nginx"]
    with pytest.raises(ImproperlyConfigured, match="nginx"):
        client_address(request(PROXY))
    assert [e.id for e in check_trusted_proxies()] == ["gongqing.E101"]
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2"]  # a number only alone
    assert [e.id for e in check_trusted_proxies()] == ["gongqing.E101"]
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.36.0.0/16"]
    assert check_trusted_proxies() == []


def attempt(client, username, password, client_ip, forwarded_prefix=""):
    """A login through nginx at PROXY: the header is what the client sent plus what nginx appended."""
    forwarded = f"{forwarded_prefix}, {client_ip}" if forwarded_prefix else client_ip
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_behind_the_proxy_one_address_failing_does_not_delay_the_county(client, settings, personas, password):
    """The finding: every user had the proxy's address, so 20 failures of anyone delayed `staff`'s right password."""
    settings.TRUSTED_PROXIES = [PROXY]
    for i in range(20):
        attempt(client, f"nobody{i}", "wrong-password", "10.36.9.9")
    response = attempt(client, "staff", password, "10.36.1.7")
    assert response.status_code == 302
    ips = set(AuditEvent.objects.filter(action__startswith="login").values_list("ip", flat=True))
    assert ips == {"10.36.9.9", "10.36.1.7"}  # the people's machines, never the proxy


def test_behind_the_proxy_a_sprayer_forging_the_header_is_still_delayed(client, settings, personas, password):
    settings.TRUSTED_PROXIES = [PROXY]
    for i in range(11):
        attempt(client, f"nobody{i}", "wrong-password", "10.36.9.9", forwarded_prefix=f"10.36.2.{i}")
    refused = attempt(client, "staff", password, "10.36.9.9", forwarded_prefix="10.36.1.7")
    assert "秒后再试" in refused.content.decode()
    assert set(AuditEvent.objects.filter(action="login.failed").values_list("ip", flat=True)) == {"10.36.9.9"}


def test_without_a_trusted_proxy_a_spoofed_header_neither_escapes_the_delay_nor_reaches_the_audit_log(
    client, settings, personas, password
):
    settings.TRUSTED_PROXIES = []
    for i in range(11):
        client.post(
            LOGIN,
            {"username": f"nobody{i}", "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"10.36.2.{i}",
        )
    refused = client.post(
        LOGIN, {"username": "staff", "password": password}, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert "秒后再试" in refused.content.decode()
    assert set(AuditEvent.objects.values_list("ip", flat=True)) == {"198.51.100.7"}


def anonymous_ident(remote, forwarded):
    drf_request = Request(request(remote, forwarded))
    drf_request._user = None  # anonymous, as the throttle sees a request without credentials
    return ClientRateThrottle().get_ident(drf_request)


def test_the_api_throttle_keys_anonymous_clients_by_the_same_address(settings):
    """DRF's own get_ident took the whole X-Forwarded-For header (NUM_PROXIES unset): a new bucket per forged value."""
    settings.TRUSTED_PROXIES = []
    assert anonymous_ident("198.51.100.7", "10.0.0.1") == anonymous_ident("198.51.100.7", "10.0.0.2") == "198.51.100.7"
    settings.TRUSTED_PROXIES = [PROXY]
    assert anonymous_ident(PROXY, "10.0.0.1, 203.0.113.9") == "203.0.113.9"
    assert anonymous_ident(PROXY, "10.0.0.2, 203.0.113.9") == "203.0.113.9"
    assert anonymous_ident(PROXY, "203.0.113.10") == "203.0.113.10"


def test_the_audit_log_records_the_client_behind_the_proxy(settings, client, personas):
    settings.TRUSTED_PROXIES = [PROXY]
    client.force_login(personas["ganlu_official"])
    client.post(reverse("logout"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.36.5.5, 10.36.1.7")
    assert AuditEvent.objects.get(action="logout").ip == "10.36.1.7"
