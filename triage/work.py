"""Triage as durable work (DESIGN.md section 4): a pending TriageRun is the obligation.

The receivers write the pending run after the ticket's commit and nudge a task; the engine's
`triage` module claims what is due (a lost nudge, a retry after a failure) with SKIP LOCKED and
sweeps recent tickets that never got a run (a process that died between the ticket's commit and
the receiver). Each run is triaged in its own savepoint: a failure rolls back only that run's
suggestions, is logged, and leaves the run pending with a later due time, until MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef

from helpdesk import engine
from tickets.choices import Status
from tickets.models import Ticket

from .models import MAX_ATTEMPTS, RunStatus, TriageRun, Trigger
from .pipeline import triage_ticket

log = logging.getLogger(__name__)

BATCH = 20
FINISHED = (Status.RESOLVED, Status.CLOSED)
# Like the other modules, a share of the tick's 500 ms: one or two triages (each within its
# 200 ms budget); the nudged tasks do the rest.
TIME_BUDGET_SECONDS = 0.2
SWEEP_LOOKBACK = timedelta(hours=1)
# A just-created ticket's receiver is probably writing its run right now.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 50


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** max(0, attempts - 1))


def enqueue(*, ticket_id: int, trigger: str, now: datetime) -> TriageRun | None:
    """The pending run of a ticket; one is enough however many messages arrive before it runs."""
    if TriageRun.objects.filter(ticket_id=ticket_id, status=RunStatus.PENDING).exists():
        return None
    return TriageRun.objects.create(
        ticket_id=ticket_id, trigger=trigger, due_at=now, created_at=now
    )


def process(run: TriageRun, *, now: datetime) -> bool:
    """Triage a claimed pending run (the caller holds its row lock). True when it succeeded.

    A ticket already resolved or closed when its run comes up (a backlog, a demo's history)
    gets no suggestions: there is nothing left to decide on it."""
    if run.ticket.status in FINISHED:
        run.status, run.finished_at = RunStatus.DONE, now
        run.save(update_fields=["status", "finished_at"])
        return True
    try:
        with transaction.atomic():
            triage_ticket(run.ticket, now=now, run=run)
        return True
    except Exception as exc:  # any failure leaves the ticket untriaged, to be retried
        log.exception("triage of ticket %s failed (attempt %s)", run.ticket_id, run.attempts + 1)
        run.refresh_from_db(fields=["status"])
        run.status = RunStatus.PENDING
        run.attempts += 1
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.due_at = now + retry_delay(run.attempts)
        run.finished_at = None
        if run.attempts >= MAX_ATTEMPTS:
            run.status = RunStatus.FAILED
            run.finished_at = now
        run.save(update_fields=["status", "attempts", "error", "due_at", "finished_at"])
        return False


def claim_one(run_id: int) -> TriageRun | None:
    return (
        TriageRun.objects.select_for_update(skip_locked=True)
        .select_related("ticket")
        .filter(pk=run_id, status=RunStatus.PENDING)
        .first()
    )


def _due(now: datetime, deadline: float) -> int:
    done = 0
    runs = list(
        TriageRun.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("ticket")
        .filter(status=RunStatus.PENDING, due_at__lte=now)
        .order_by("due_at", "id")[:BATCH]
    )
    for run in runs:
        process(run, now=now)
        done += 1
        if time.monotonic() >= deadline:
            break
    return done


def _sweep(now: datetime) -> int:
    """Recent tickets with no run at all: their receiver never wrote one."""
    without_run = ~Exists(TriageRun.objects.filter(ticket_id=OuterRef("pk")))
    missing = (
        Ticket.objects.filter(
            created_at__gte=now - SWEEP_LOOKBACK, created_at__lte=now - SWEEP_GRACE
        )
        .filter(without_run)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    runs = [
        TriageRun(ticket_id=pk, trigger=Trigger.CREATED, due_at=now, created_at=now)
        for pk in missing
    ]
    TriageRun.objects.bulk_create(runs)
    return len(runs)


def run(now: datetime) -> int:
    """The engine module: runs inside the engine's transaction, under its advisory lock."""
    deadline = engine.deadline(TIME_BUDGET_SECONDS)
    return _sweep(now) + _due(now, deadline)


def oldest_due() -> datetime | None:
    return TriageRun.objects.filter(status=RunStatus.PENDING).aggregate(m=Min("due_at"))["m"]
