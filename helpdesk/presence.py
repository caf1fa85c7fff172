"""Who is looking at a resource right now: a short-lived Redis hash per resource.

Presence is a hint for people, not a record: losing Redis loses nothing that matters.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache

import redis
from django.conf import settings

TTL_SECONDS = 30


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def _key(resource: str) -> str:
    return f"helpdesk:presence:{resource}"


def touch(resource: str, *, user_id: int, name: str, state: str) -> None:
    key = _key(resource)
    entry = json.dumps({"name": name, "state": state, "at": time.time()})
    try:
        pipe = _client().pipeline()
        pipe.hset(key, str(user_id), entry)
        pipe.expire(key, TTL_SECONDS * 2)
        pipe.execute()
    except redis.RedisError:
        pass  # presence is best effort


def others(resource: str, *, user_id: int) -> list[dict]:
    """Everyone but `user_id` seen in the last TTL_SECONDS, replying first."""
    try:
        raw = _client().hgetall(_key(resource))
    except redis.RedisError:
        return []
    cutoff = time.time() - TTL_SECONDS
    people = []
    for uid, value in raw.items():
        entry = json.loads(value)
        if int(uid) != user_id and entry["at"] >= cutoff:
            people.append(entry)
    return sorted(people, key=lambda p: (p["state"] != "replying", p["name"]))
