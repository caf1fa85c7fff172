"""The escalation module of the engine tick.

Runs inside the engine's transaction, under its advisory lock:

1. Steps due: unacknowledged pages whose wait is over move to their next level. Claimed with
   FOR UPDATE SKIP LOCKED, so a page being acknowledged right now is left to that transaction
   (which stops it) and looked at again on the next tick.
2. The sweep: pages that should exist and do not. The receivers of tickets/events.py start pages
   after the ticket's commit; a process that dies in between must not cost the page, so every
   tick looks for open P1 and security tickets without their page, and SLA breaches (from the
   SLA engine's breach rows) that a policy wants paged. Once a minute it also looks for P2
   tickets without agent activity for two hours (seed 003).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q

from escalation.models import OPEN_PAGE, EscalationPolicy, Page, PageReason, PageState
from escalation.paging import services
from escalation.paging.policies import matches
from helpdesk import engine
from helpdesk.models import AGENT_SIDE_ROLES, EngineState
from tickets.choices import OPEN_STATUSES
from tickets.models import SlaEvent, SlaEventKind, Ticket, TicketEvent

BATCH = 100
STEP_BATCH = 20
# Each part of a tick stops taking rows once the module has used this long (it finishes the row
# in hand); the SLA module has the same budget, so a tick stays near 500 ms of database time.
TIME_BUDGET_SECONDS = 0.2
SWEEP_BATCH = 50
# How far back the sweep looks. A ticket or breach older than this that never got its page is
# beyond what a lost enqueue explains (the engine was down for a day): it is not paged late.
LOOKBACK = timedelta(hours=24)
NO_PROGRESS = timedelta(hours=2)
NO_PROGRESS_EVERY = timedelta(minutes=1)
NO_PROGRESS_MARK = "escalation.no_progress"


def _due_steps(now: datetime, deadline: float) -> int:
    """Claims due steps a few at a time, so a backlog is not locked beyond what this tick can
    take; goes on while the tick has time left."""
    done = 0
    while True:
        pages = list(
            Page.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket")
            .filter(state=PageState.TRIGGERED, next_step_at__lte=now)
            .order_by("next_step_at")[:STEP_BATCH]
        )
        for page in pages:
            services.page_step(page=page, now=now)
            done += 1
            if time.monotonic() >= deadline:
                return done
        if len(pages) < STEP_BATCH or done >= BATCH:
            return done


def _without_page(reason: str):
    return ~Exists(Page.objects.filter(ticket=OuterRef("pk"), reason=reason))


def _missing_urgent(now: datetime, deadline: float) -> int:
    recent = Ticket.objects.filter(status__in=OPEN_STATUSES, updated_at__gte=now - LOOKBACK)
    started = 0
    for reason, qs in (
        (PageReason.SECURITY, recent.filter(is_security=True)),
        (PageReason.SEVERITY, recent.filter(severity=1, is_security=False)),
    ):
        for ticket in qs.filter(_without_page(reason)).order_by("updated_at")[:SWEEP_BATCH]:
            started += (
                services.page_start(ticket=ticket, reason=reason, actor=None, now=now) is not None
            )
            if time.monotonic() >= deadline:
                return started
    return started


def _missing_breaches(now: datetime, deadline: float) -> int:
    policies = list(EscalationPolicy.objects.filter(is_active=True).order_by("position", "id"))
    if not any(p.page_on_breach for p in policies):
        return 0
    # A breach is covered by any page of its ticket that was still open when it happened or
    # started after it: people already paged for the ticket (a P1, a security report, an
    # earlier breach) are not woken a second time for it; the breach is on the timeline.
    covered = Page.objects.filter(ticket_id=OuterRef("ticket_id")).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=OuterRef("at"))
    )
    breaches = (
        SlaEvent.objects.filter(
            kind=SlaEventKind.BREACHED,
            at__gte=now - LOOKBACK,
            ticket__status__in=OPEN_STATUSES,
        )
        .filter(~Exists(covered))
        .select_related("ticket")
        .order_by("at")[: SWEEP_BATCH * 4]
    )
    started, seen = 0, set()
    for breach in breaches:
        ticket = breach.ticket
        if ticket.pk in seen:
            continue
        seen.add(ticket.pk)
        policy = matches(policies, ticket)
        if policy is None or not policy.page_on_breach:
            continue
        page = services.page_start(
            ticket=ticket, reason=PageReason.SLA_BREACH, actor=None, now=now, sla_event=breach
        )
        started += page is not None
        if time.monotonic() >= deadline:
            break
    return started


def _no_progress(now: datetime, deadline: float) -> int:
    mark = EngineState.objects.filter(name=NO_PROGRESS_MARK).first()
    if mark and now - mark.last_tick_at < NO_PROGRESS_EVERY:
        return 0
    EngineState.objects.update_or_create(name=NO_PROGRESS_MARK, defaults={"last_tick_at": now})
    since = now - NO_PROGRESS
    agent_activity = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), created_at__gt=since, actor__role__in=AGENT_SIDE_ROLES
    )
    open_page = Page.objects.filter(OPEN_PAGE, ticket=OuterRef("pk"))
    # A page already answered counts as progress for two hours from its start.
    recent_page = Page.objects.filter(
        ticket=OuterRef("pk"), reason=PageReason.NO_PROGRESS, started_at__gt=since
    )
    stale = (
        Ticket.objects.filter(status__in=OPEN_STATUSES, severity=2, created_at__lte=since)
        .filter(~Exists(agent_activity), ~Exists(open_page), ~Exists(recent_page))
        .order_by("updated_at")[:SWEEP_BATCH]
    )
    started = 0
    for ticket in stale:
        page = services.page_start(
            ticket=ticket, reason=PageReason.NO_PROGRESS, actor=None, now=now
        )
        started += page is not None
        if time.monotonic() >= deadline:
            break
    return started


def run(now: datetime) -> int:
    """Each part goes on while the module has time left, and always takes at least one row:
    with 10,000 pages due, steps alone would otherwise hold the tick for seconds (DESIGN.md
    section 10: 500 ms of database time for all modules), and no part is ever starved. What is
    left is taken by the next tick, which the engine fires at once while steps are due."""
    deadline = engine.deadline(TIME_BUDGET_SECONDS)
    return sum(
        part(now, deadline)
        for part in (_due_steps, _missing_urgent, _missing_breaches, _no_progress)
    )


def oldest_due() -> datetime | None:
    return (
        Page.objects.filter(state=PageState.TRIGGERED, next_step_at__isnull=False)
        .order_by("next_step_at")
        .values_list("next_step_at", flat=True)
        .first()
    )
