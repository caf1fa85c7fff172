from __future__ import annotations

from django.core.cache import cache


def test_the_cache_keeps_one_redis_client_and_still_works():
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client  # one server: one pool, one client
    cache.set("probe", {"a": 1}, 30)
    assert cache.get("probe") == {"a": 1}
    assert cache.add("probe", 2) is False
    cache.delete("probe")
    assert cache.get("probe") is None
