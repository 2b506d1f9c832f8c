"""Per-client rate limits: one bucket per token (or per signed-in user), reads and writes counted apart.

A cost control, not a security control (login lockout and token expiry are). Rates come from settings at call time,
so an operator (or a test) can change them without a restart of the import chain.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from gongqing.clientaddr import client_address

from .auth import token_of


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_read"

    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]

    def get_ident(self, request):
        """An anonymous client's bucket: its address behind the trusted proxies, never a header it can forge (DRF's
        own get_ident takes the whole X-Forwarded-For unless NUM_PROXIES is set)."""
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        token = token_of(request)
        # The token prefix is random per token; for sessions the join time keeps re-used ids apart.
        ident = f"t:{token.prefix}" if token else f"u:{request.user.pk}:{request.user.date_joined.timestamp()}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if (request.method in ("GET", "HEAD", "OPTIONS")) != (self.scope == "api_read"):
            return True
        return super().allow_request(request, view)


class ClientWriteThrottle(ClientRateThrottle):
    scope = "api_write"
