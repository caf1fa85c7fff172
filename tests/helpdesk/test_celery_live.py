"""A real Celery worker and beat, on the real Redis, against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from helpdesk import engine
from helpdesk.models import EngineState

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_live,
]
ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    broker = settings.TEST_CELERY_BROKER_URL
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "HELPDESK_ENGINE_TICK_SECONDS": "1",
    }


def _start(*args: str, tmp_path: Path) -> subprocess.Popen:
    log = open(tmp_path / f"{args[0]}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", *args],
        cwd=ROOT,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_beat_fires_the_engine_tick_through_a_real_worker(tmp_path, client):
    assert not EngineState.objects.exists()
    worker = _start(
        "worker",
        "--concurrency",
        "1",
        "--pool",
        "solo",
        "-l",
        "warning",
        "-n",
        f"live-{os.getpid()}@127.0.0.1",
        tmp_path=tmp_path,
    )
    beat = _start("beat", "-l", "warning", "-s", str(tmp_path / "beat-schedule"), tmp_path=tmp_path)
    try:
        deadline = time.monotonic() + 45
        while (
            time.monotonic() < deadline
            and not EngineState.objects.filter(name=engine.HEARTBEAT).exists()
        ):
            time.sleep(0.5)
        state = EngineState.objects.get(name=engine.HEARTBEAT)
        first = state.last_tick_at
        time.sleep(2.5)
        state.refresh_from_db()
        assert state.last_tick_at > first  # it keeps ticking, about once a second
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["beat"]["ok"] is True
    finally:
        for proc in (beat, worker):
            proc.terminate()
        for proc in (beat, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
