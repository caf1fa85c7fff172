"""Crash tests with real processes: kill -9 a worker mid-delivery, flush and restart Redis, run
two beats at once, restart PostgreSQL during ticks, start the processes only after the due time.
Nothing due is lost; nothing is done twice.

Each round is held to the engine's rule (tests/crash/ledger.py), not to fixed counts, and names
the cause of whatever it finds. `make chaos` repeats the matrix (CHAOS_REPEAT=100); every round,
including one that fails or errors, is written to CHAOS_REPORT, and scripts/chaos_summary.py
prints the totals and exits non-zero when any round lost, doubled or failed anything.
"""

from __future__ import annotations

import os
import time

import pytest

from helpdesk import clock
from helpdesk.models import OutboundMessage
from tests.crash.ledger import Round, Tally, TickWatch, tally
from tests.factories import make_ticket
from tests.live.harness import Processes, RedisServer, restart_postgres, wait_for
from tickets.models import SlaEvent, SlaTarget

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.crash]
REPEAT = int(os.environ.get("CHAOS_REPEAT", "1"))
TICKETS = 4
SCENARIOS = [
    "kill_worker_mid_delivery",
    "flush_and_restart_redis",
    "two_beats",
    "restart_postgres",
    "slow_start",
]


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


def _run(scenario, tmp_path, smtp, people, watch: TickWatch) -> Tally:
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
        if scenario == "slow_start":
            # A machine so loaded that the first tick comes after the due time: the engine
            # breaches without warning (a warning whose due time has passed is never sent).
            tickets = _tickets(people)
            due = max(
                SlaTarget.objects.filter(ticket__in=tickets, kind="first_response").values_list(
                    "due_at", flat=True
                )
            )
            now = clock.now()
            wait = max(0.0, (due - now).total_seconds()) + 1
            # Bounded: the fast policy's targets are seconds away; anything else is a setup fault.
            assert wait < 60, f"first response due {due:%H:%M:%S}, {wait:.0f} s after {now:%T}"
            time.sleep(wait)
        worker = procs.start("worker")
        procs.start("beat")
        if scenario == "two_beats":
            procs.start("worker")
            procs.start("beat")
        if scenario != "slow_start":
            tickets = _tickets(people)
        if scenario == "kill_worker_mid_delivery":
            smtp.delay = 3.0
            assert wait_for(
                lambda: OutboundMessage.objects.filter(status="sending").exists(), timeout=40
            ), "no email was being sent within 40 s: the worker or beat did not start"
            procs.kill(worker)
            smtp.delay = 0.0
            procs.start("worker")
        elif scenario == "flush_and_restart_redis":
            # The first warning or breach: work is in flight (a slow start may skip the warning).
            assert wait_for(lambda: SlaEvent.objects.exists(), timeout=40), (
                "no SLA event within 40 s: the worker or beat did not start"
            )
            redis_server.flush_and_restart()
        elif scenario == "restart_postgres":
            for _ in range(2):
                assert wait_for(lambda: SlaEvent.objects.exists(), timeout=40), (
                    "no SLA event within 40 s: the worker or beat did not start"
                )
                time.sleep(0.7)  # land inside a tick, whatever its phase
                restart_postgres()
        wait_for(lambda: tally(tickets, smtp, watch.ticks()).settled, timeout=90)
        time.sleep(2)  # a little longer: anything that would fire twice has had its chance
        return tally(tickets, smtp, watch.ticks())
    finally:
        procs.stop_all()
        if redis_server:
            redis_server.stop()


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_lost_nothing_doubled(scenario, round_, tmp_path, smtp, fast_policy, people):
    with Round(scenario, round_) as this_round:
        if scenario == "restart_postgres" and os.environ.get("HELPDESK_EXTERNAL_DATABASE"):
            pytest.skip("DATABASE_URL names a server of its own: the tests cannot restart it")
        with TickWatch() as watch:
            this_round.tally = _run(scenario, tmp_path, smtp, people, watch)
        if scenario == "slow_start":
            assert this_round.tally.warnings_not_owed == TICKETS, "a tick came before the due time"
    assert this_round.tally.clean, "\n".join(this_round.tally.causes)
