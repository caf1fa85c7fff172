"""/healthz: the state of PostgreSQL, Redis and the engine's last beat tick."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from helpdesk import clock, engine
from helpdesk.models import EngineState


def _check_postgres() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure means unhealthy; say which
        return {"ok": False, "error": type(exc).__name__}


def _check_redis() -> dict:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
        return {"ok": True}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _check_beat(postgres_ok: bool) -> dict:
    if not postgres_ok:
        return {"ok": False, "error": "database unavailable"}
    state = EngineState.objects.filter(name=engine.HEARTBEAT).first()
    if state is None:
        return {"ok": False, "last_tick_at": None, "error": "no tick recorded yet"}
    now = clock.now()
    age = (now - state.last_tick_at).total_seconds()
    return {
        "ok": age <= settings.HELPDESK_BEAT_STALE_SECONDS,
        "last_tick_at": state.last_tick_at.isoformat(),
        "age_seconds": round(age, 1),
        "last_duration_ms": round(state.last_duration_ms, 1),
        "lag_seconds": round(engine.lag_seconds(now), 1),
    }


@never_cache
@require_GET
def healthz(request):
    postgres = _check_postgres()
    checks = {"postgres": postgres, "redis": _check_redis(), "beat": _check_beat(postgres["ok"])}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", **checks}, status=200 if healthy else 503
    )
