"""Triage off the request path with a real Celery worker on the real Redis: a ticket opened
through the services is triaged by the worker once the nudge arrives, and the ticket's creation
never waited for it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import OrganizationFactory, make_agent, make_ticket
from triage.models import RunStatus, Suggestion, TriageRun

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_live,
]
ROOT = Path(__file__).resolve().parents[2]


def _worker(tmp_path: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.TEST_CELERY_BROKER_URL,
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--concurrency", "1",
         "--pool", "solo", "-l", "warning", "-n", f"triage-{os.getpid()}@127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def test_a_new_ticket_is_triaged_by_the_worker(tmp_path):
    agent = make_agent(username="live-agent")
    worker = _worker(tmp_path)
    try:
        ticket = make_ticket(
            actor=agent,
            organization=OrganizationFactory(),
            title="All API calls return 500 since 10:00 UTC",
            description="Every request fails with 500 Internal Server Error in production.",
        )
        run = TriageRun.objects.get(ticket=ticket)  # written after the commit, not yet run
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status != RunStatus.PENDING:
                break
            time.sleep(0.3)
        assert run.status == RunStatus.DONE, (tmp_path / "worker.log").read_text()[-2000:]
        assert Suggestion.objects.filter(run=run, kind="severity").exists()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
