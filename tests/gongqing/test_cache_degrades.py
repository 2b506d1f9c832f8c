"""The Redis cache degrades when Redis is away: reads miss, writes drop, `add` says go ahead; nothing raises."""

from gongqing.cache import ResilientRedisCache


def test_an_unreachable_redis_is_a_miss_not_an_error():
    ResilientRedisCache._down_until = 0.0
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    assert cache.get("k", "default") == "default"
    assert cache.add("dedupe", 1) is True  # the duplicate a dedupe key would have stopped is harmless: go ahead
    cache.set("k", 1)
    assert cache.get_many(["a", "b"]) == {}
    assert cache.incr("counter") == 1  # a rate counter counts each hit as the first
    cache.delete("k")
    assert ResilientRedisCache._down_until > 0  # later calls skip Redis for a few seconds
    ResilientRedisCache._down_until = 0.0
