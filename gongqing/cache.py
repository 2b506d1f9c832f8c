"""A Redis cache that degrades instead of failing when Redis is away.

Everything the portal keeps in the cache can be recomputed or skipped: dashboards' pages (built again from the
database), the recompute's coalescing key (without it a duplicate recompute runs, and finds the results fresh), the
survey's rate counters, DRF's throttle history. So while Redis cannot be reached a read is a miss, a write is
dropped, and `add` answers True — "go ahead", the safe side for a dedupe key whose duplicate is harmless. Nothing
the portal must not lose lives here (sessions and idempotency keys are in the database).

After a failure the cache does not try Redis again for `RETRY_SECONDS` (per process), so an outage costs one failed
connection attempt every few seconds rather than one per call; one warning is logged per outage.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    _down_until = 0.0  # per process (class attribute: every alias and thread shares the verdict)

    def _call(self, name: str, fallback, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._down_until:
            return fallback
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except _errors() as exc:
            if ResilientRedisCache._down_until == 0.0:
                log.warning("cache unavailable (%s: %s): serving without it", type(exc).__name__, exc)
            ResilientRedisCache._down_until = time.monotonic() + RETRY_SECONDS
            return fallback
        if ResilientRedisCache._down_until:
            log.warning("cache available again")
            ResilientRedisCache._down_until = 0.0
        return result

    def add(self, key, value, timeout=None, version=None):
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError (Django's contract); an unreachable Redis counts as a first hit.
        return self._call("incr", delta, key, delta, version)

    def set_many(self, data, timeout=None, version=None):
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
