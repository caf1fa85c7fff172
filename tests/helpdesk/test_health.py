from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk import clock, engine
from helpdesk.models import EngineState

pytestmark = pytest.mark.django_db


def test_healthz_fails_until_the_engine_has_ticked(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["postgres"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["beat"] == {"ok": False, "last_tick_at": None, "error": "no tick recorded yet"}


def test_healthz_is_ok_after_a_tick(client):
    engine.tick()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["beat"]["ok"] is True


def test_healthz_fails_when_the_tick_is_stale(client, settings):
    settings.HELPDESK_BEAT_STALE_SECONDS = 60
    EngineState.objects.create(
        name=engine.HEARTBEAT, last_tick_at=clock.now() - timedelta(minutes=5)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"]["ok"] is False
    assert response.json()["beat"]["age_seconds"] >= 300


def test_healthz_fails_when_redis_is_down(client, settings):
    engine.tick()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == {"ok": False, "error": "ConnectionError"}


def test_engine_runs_registered_modules():
    calls = []
    engine.register("test-module", lambda now: calls.append(now) or 1)
    try:
        assert engine.tick()["test-module"] == 1
        assert len(calls) == 1
    finally:
        engine._modules.pop("test-module")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_engine_skips_a_module_whose_lock_is_held_elsewhere():
    """Two beats or two workers never run one module at once (pg_try_advisory_xact_lock)."""
    import psycopg2
    from django.db import connection

    calls = []
    engine.register("test-module", lambda now: calls.append(now) or 1)
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [engine._lock_key("test-module")])
        assert engine.tick()["test-module"] is None
        assert calls == []
    finally:
        other.close()
        engine._modules.pop("test-module")
