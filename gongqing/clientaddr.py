"""The client's address, the one place that decides it (login delay, audit log, API throttles).

Behind a TLS proxy `REMOTE_ADDR` is the proxy's address for everybody. The proxy appends the address it saw to
`X-Forwarded-For` (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`), and everything to the
left of that may have come from the client, forged. So the header is believed only through proxies the operator
trusts (`TRUSTED_PROXIES`, environment; default: none, the header is ignored):

- a list of addresses or CIDR networks (`127.0.0.1`, `10.36.0.0/16`): the hops are `X-Forwarded-For`'s entries
  followed by `REMOTE_ADDR`; walking them from the right, every hop in the list is skipped and the first one that is
  not is the client;
- a number N: the last N hops (`REMOTE_ADDR` and N − 1 entries of the header) are proxies, whatever their address.
  Only where nothing but the proxy can reach the portal (gunicorn bound to 127.0.0.1, a firewall).

If the walk skips every hop (all of them are trusted proxies), the left-most is the client. An entry that is not an
address where the walk stops (a broken header) gives the last hop that was believed instead.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies(NamedTuple):
    count: int
    networks: tuple[Network, ...]


@lru_cache(maxsize=8)
def parse_trusted(raw: tuple[str, ...]) -> TrustedProxies:
    """`TRUSTED_PROXIES` as read from the environment: empty, one number, or addresses/CIDRs."""
    items = tuple(item.strip() for item in raw if item.strip())
    if len(items) == 1 and items[0].isdigit():
        return TrustedProxies(count=int(items[0]), networks=())
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {item!r} is neither an address nor a CIDR network (or give one number alone)."
            ) from exc
    return TrustedProxies(count=0, networks=tuple(networks))


def trusted_proxies() -> TrustedProxies:
    value = getattr(settings, "TRUSTED_PROXIES", ())
    if isinstance(value, str):
        value = value.split(",")
    return parse_trusted(tuple(str(v) for v in value))


def _address(text: str) -> Address | None:
    """An address as a proxy writes it; tolerates `[v6]`, `[v6]:port`, `v4:port`. None if it is none."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request) -> str | None:
    """The client's address for `request` (a Django or DRF request), or None when there is none."""
    if request is None:
        return None
    meta = request.META
    remote = _address(meta.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = trusted_proxies()
    if not trusted.count and not trusted.networks:
        return str(remote)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR") or ""
    hops = [entry for entry in forwarded.split(",") if entry.strip()]
    believed = remote
    for position, entry in enumerate([str(remote), *reversed(hops)]):
        address = believed if position == 0 else _address(entry)
        if address is None:
            return str(believed)  # a broken header: the last hop a trusted proxy vouched for
        is_proxy = position < trusted.count if trusted.count else any(address in net for net in trusted.networks)
        if not is_proxy:
            return str(address)
        believed = address
    return str(believed)  # every hop is a trusted proxy: the left-most one


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs):
    try:
        trusted_proxies()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="gongqing.E101")]
    return []
