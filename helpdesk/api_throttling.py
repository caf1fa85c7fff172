"""Per-user API throttling: a counter per user and minute, one atomic increment per request.

DRF's own throttles keep a list of every request's timestamp in the cache and read, trim and
write it back whole on each request: at the default allowance of 6,000 a minute an integration
that uses its allowance moves a list of thousands of floats through Redis twice per request, and
two concurrent requests can each write back a list missing the other's. Here each request is one
INCR (and an EXPIRE) in a single round trip. A fixed window lets a client spend up to twice its
rate across a window boundary, a known trade for O(1) work; Retry-After says when the window ends.

The rate is read on every request (DRF copies it once at import, so a changed setting or a test's
override would be ignored).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _WindowCounter:
    """Mixed into DRF's rate throttles: same rates, scopes and cache keys, counted per window."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.retry_after = (window + 1) * self.duration - now
        count = _increment(self.cache, f"{key}:{window}", ttl=self.duration + 1)
        return count <= self.num_requests

    def wait(self) -> float:
        return self.retry_after


def _increment(cache, key: str, *, ttl: int) -> int:
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(full_key, write=True).pipeline()
        pipe.incr(full_key)
        pipe.expire(full_key, ttl)
        count, _ = pipe.execute()
        return int(count)
    # Other cache backends (development without Redis): two steps, still one counter.
    if cache.add(key, 1, ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, ttl)
        return 1


class UserThrottle(_WindowCounter, UserRateThrottle):
    pass


class AnonThrottle(_WindowCounter, AnonRateThrottle):
    pass
