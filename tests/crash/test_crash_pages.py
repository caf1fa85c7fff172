"""Crash tests of on-call pages with real processes: kill -9 a worker while a level's email is in
flight, flush and restart Redis, two beats at once, a process killed right after a P1 commits
(before its page is enqueued), and an acknowledgement racing an escalation step.

No page is lost (every P1 gets one and its first level is notified), nobody is paged twice for
the same step, and an acknowledged page never steps further (tests/crash/page_ledger.py). Each
round is reported like the SLA rounds (tests/crash/ledger.py) and summed by `make chaos`.

A level's wait is at least a minute in a policy; a round shortens the frozen levels of its pages
to a few seconds once they start, so a round takes seconds, not minutes.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from escalation.models import Page, PageReason, PageState
from escalation.paging import services
from helpdesk import clock
from helpdesk.models import OutboundMessage, Role
from tests.crash.ledger import Round, Tally, TickWatch
from tests.crash.page_ledger import page_tally, settled
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket
from tests.live.harness import ROOT, Processes, RedisServer, wait_for

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.crash]
REPEAT = int(os.environ.get("CHAOS_REPEAT", "1"))
TICKETS = 2
FIRST_WAIT = timedelta(seconds=2)  # from the moment a round shortens a started page
WAIT = timedelta(seconds=3)  # each level's wait after that
SCENARIOS = [
    "page_kill_worker_mid_step",
    "page_flush_and_restart_redis",
    "page_two_beats",
    "page_killed_after_p1_commit",
    "page_ack_races_step",
]


@pytest.fixture
def levels():
    first = make_agent(username="fay", email="fay@example.com", role=Role.ENGINEER)
    second = make_agent(username="sam", email="sam@example.com", role=Role.ENGINEER)
    # Breaches are not paged here: only the P1 pages are counted.
    make_policy(
        {"users": [first], "wait_minutes": 1},
        {"users": [second], "wait_minutes": 1},
        severity=1,
        page_on_breach=False,
    )
    return [[first], [second]]


def _p1(people):
    return make_ticket(
        actor=people["assignee"],
        organization=people["org"],
        severity=1,
        assignee=people["assignee"],
        team=people["team"],
    )


def _p1_committed_by_a_dying_process(people, env) -> int:
    """A P1 committed by a process killed before its after-commit enqueue of the page."""
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.crash.commit_p1_and_die",
            str(people["assignee"].pk),
            str(people["org"].pk),
            str(people["team"].pk),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -9, (
        f"the committing process ended with {child.returncode}, not killed: {child.stderr[-500:]}"
    )
    return int(child.stdout.split()[0])


def _shorten(tickets) -> list[Page]:
    """Waits of seconds instead of minutes, on pages that have not stepped yet."""
    pages = list(Page.objects.filter(ticket__in=tickets, reason=PageReason.SEVERITY))
    due = clock.now() + FIRST_WAIT
    for page in pages:
        short = [{**level, "wait_minutes": WAIT.total_seconds() / 60} for level in page.levels]
        Page.objects.filter(
            pk=page.pk, state=PageState.TRIGGERED, level=0, round=0, next_step_at__gt=due
        ).update(levels=short, next_step_at=due)
    return pages


def _run(scenario, round_, tmp_path, smtp, people, levels, watch: TickWatch) -> Tally:
    redis_server = (
        RedisServer(tmp_path / "redis").start()
        if scenario == "page_flush_and_restart_redis"
        else None
    )
    # The send deadline is the product's (60 s): an email whose sender was killed is taken up
    # again once it passes, so a round with a kill takes about a minute.
    env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)}
    if redis_server:
        env["CELERY_BROKER_URL"] = redis_server.url
    procs = Processes(tmp_path, **env)
    try:
        worker = procs.start("worker")
        procs.start("beat")
        if scenario == "page_two_beats":
            procs.start("worker")
            procs.start("beat")
        if scenario == "page_killed_after_p1_commit":
            from tickets.models import Ticket

            ids = [_p1_committed_by_a_dying_process(people, procs.env) for _ in range(TICKETS)]
            tickets = list(Ticket.objects.filter(pk__in=ids))
            assert len(tickets) == TICKETS, "a P1 committed by the dying process is not there"
        else:
            tickets = [_p1(people) for _ in range(TICKETS)]
        if redis_server:
            # This process enqueues to the tests' broker, which these workers do not consume, so
            # the pages here are started by the engine's sweep, like a lost enqueue. The flush
            # drops the ticks beat has queued, under a worker that has just started.
            redis_server.flush_and_restart()

        started = wait_for(
            lambda: Page.objects.filter(ticket__in=tickets).count() >= TICKETS, timeout=40
        )
        pages = _shorten(tickets)
        if started and scenario == "page_kill_worker_mid_step":
            # The second level's emails: a slow SMTP server keeps them in flight for the kill.
            smtp.delay = 3.0
            assert wait_for(
                lambda: OutboundMessage.objects.filter(
                    status="sending", dedup_key__contains=":r0:l1:"
                ).exists(),
                timeout=30,
            ), "no level-2 email was being sent within 30 s of the pages starting"
            procs.kill(worker)
            smtp.delay = 0.0
            procs.start("worker")
        elif started and scenario == "page_flush_and_restart_redis":
            # Again at the step: its delivery nudges are in Redis.
            wait_for(lambda: _stepped(pages), timeout=20)
            redis_server.flush_and_restart()
        elif started and scenario == "page_ack_races_step":
            # Acknowledge around the step: from just before its due time to a couple of ticks
            # after, so some acknowledgements come before the step and some after it.
            offset = random.Random(round_).uniform(-0.5, 2.5)
            due = min(Page.objects.filter(pk__in=[p.pk for p in pages]).values_list(
                "next_step_at", flat=True))  # fmt: skip
            time.sleep(max(0.0, (due - clock.now()).total_seconds() + offset))
            for page in pages:
                services.page_acknowledge(
                    page=page, actor=levels[0][0], via="crash test", now=clock.now()
                )
            # Anything that would step an acknowledged page has its chance.
            time.sleep((WAIT * 2).total_seconds())
        wait_for(lambda: settled(tickets, levels), timeout=60)
        time.sleep(2)  # a little longer: anything that would fire twice has had its chance
        return page_tally(tickets, levels, smtp, watch.ticks())
    finally:
        procs.stop_all()
        if redis_server:
            redis_server.stop()


def _stepped(pages) -> bool:
    return Page.objects.filter(pk__in=[p.pk for p in pages], level__gte=1).exists()


@pytest.mark.parametrize("round_", range(REPEAT))
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_page_lost_nobody_paged_twice(scenario, round_, tmp_path, smtp, people, levels):
    with Round(scenario, round_) as this_round, TickWatch() as watch:
        this_round.tally = _run(scenario, round_, tmp_path, smtp, people, levels, watch)
    assert this_round.tally.clean, "\n".join(this_round.tally.causes)
