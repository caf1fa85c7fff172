"""Crash tests with real processes: kill -9 a worker mid-delivery, flush and restart Redis, run
two beats at once, restart PostgreSQL during ticks. Nothing due is lost; nothing is done twice.

`make chaos` repeats the matrix (CHAOS_REPEAT=100) and prints the counts of lost and duplicated
effects from CHAOS_REPORT.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter

import pytest

from helpdesk.models import Notification, OutboundMessage
from tests.factories import make_ticket
from tests.live.harness import Processes, RedisServer, restart_postgres, wait_for
from tickets.models import SlaEvent

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.crash]
REPEAT = int(os.environ.get("CHAOS_REPEAT", "1"))
TICKETS = 4
SCENARIOS = ["kill_worker_mid_delivery", "flush_and_restart_redis", "two_beats", "restart_postgres"]


def _tickets(people, n=TICKETS):
    assignee = people["assignee"]
    return [
        make_ticket(
            actor=assignee,
            organization=people["org"],
            severity=1,
            assignee=assignee,
            team=people["team"],
        )
        for _ in range(n)
    ]


def _tally(tickets, smtp) -> dict:
    """Lost and duplicated effects, against what the SLA rules owe these tickets."""
    expected_events = {(t.pk, kind) for t in tickets for kind in ("warned", "breached")}
    events = Counter(
        SlaEvent.objects.filter(
            kind__in=["warned", "breached"], target_kind="first_response"
        ).values_list("ticket_id", "kind")
    )
    # assignee: warning + breach; team lead: breach
    expected_keys = set()
    for t in tickets:
        base = f"sla:{t.pk}:first_response:1"
        expected_keys |= {
            f"{base}:warned:{t.assignee_id}:email",
            f"{base}:breached:{t.assignee_id}:email",
            f"{base}:breached:{t.team.lead_id}:email",
        }
    sent = set(OutboundMessage.objects.filter(status="sent").values_list("dedup_key", flat=True))
    by_key = {m.message_id: m.dedup_key for m in OutboundMessage.objects.all()}
    received = Counter(by_key.get(mid) for mid in smtp.message_ids())
    return {
        "lost_events": len(expected_events - set(events)),
        "duplicated_events": sum(c - 1 for c in events.values() if c > 1),
        "lost_messages": len(expected_keys - (sent & set(received))),
        "duplicated_messages": sum(c - 1 for c in received.values() if c > 1),
        "duplicated_notifications": Notification.objects.count()
        - len(set(Notification.objects.values_list("dedup_key", flat=True))),
    }


def _settled(tickets, smtp) -> bool:
    tally = _tally(tickets, smtp)
    return tally["lost_events"] == 0 and tally["lost_messages"] == 0


def _report(scenario: str, tally: dict) -> None:
    path = os.environ.get("CHAOS_REPORT")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps({"scenario": scenario, **tally}) + "\n")


def _run(scenario, tmp_path, smtp, people) -> dict:
    redis_server = (
        RedisServer(tmp_path / "redis").start() if scenario == "flush_and_restart_redis" else None
    )
    env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "HELPDESK_OUTBOX_SEND_DEADLINE_SECONDS": "3",
    }
    if redis_server:
        env["CELERY_BROKER_URL"] = redis_server.url
    procs = Processes(tmp_path, **env)
    try:
        worker = procs.start("worker")
        procs.start("beat")
        if scenario == "two_beats":
            procs.start("worker")
            procs.start("beat")
        tickets = _tickets(people)
        if scenario == "kill_worker_mid_delivery":
            smtp.delay = 3.0
            assert wait_for(
                lambda: OutboundMessage.objects.filter(status="sending").exists(), timeout=40
            )
            procs.kill(worker)
            smtp.delay = 0.0
            procs.start("worker")
        elif scenario == "flush_and_restart_redis":
            assert wait_for(lambda: SlaEvent.objects.filter(kind="warned").exists(), timeout=40)
            redis_server.flush_and_restart()
        elif scenario == "restart_postgres":
            for _ in range(2):
                assert wait_for(lambda: SlaEvent.objects.exists(), timeout=40)
                time.sleep(0.7)  # land inside a tick, whatever its phase
                restart_postgres()
        assert wait_for(lambda: _settled(tickets, smtp), timeout=90), _tally(tickets, smtp)
        time.sleep(2)  # a little longer: anything that would fire twice has had its chance
        return _tally(tickets, smtp)
    finally:
        procs.stop_all()
        if redis_server:
            redis_server.stop()


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_lost_nothing_doubled(scenario, round_, tmp_path, smtp, fast_policy, people):
    if scenario == "restart_postgres" and os.environ.get("HELPDESK_EXTERNAL_DATABASE"):
        pytest.skip("DATABASE_URL names a server of its own: the tests cannot restart it")
    tally = _run(scenario, tmp_path, smtp, people)
    _report(scenario, tally)
    assert tally == {
        "lost_events": 0,
        "duplicated_events": 0,
        "lost_messages": 0,
        "duplicated_messages": 0,
        "duplicated_notifications": 0,
    }
