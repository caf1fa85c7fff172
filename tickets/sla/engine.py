"""The SLA module of the engine tick: warnings, customer-update reminders and breaches.

Runs inside the engine's transaction, under its advisory lock. Due rows are claimed together
with their ticket (FOR UPDATE SKIP LOCKED), so a ticket being edited right now is picked up on the
next tick and no lock is ever waited for in an order that could deadlock. Work is set-based: a
batch of thousands of due targets costs a handful of statements, not a handful per target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from helpdesk import bulk, engine, outbox
from helpdesk.models import User
from tickets import notifications
from tickets.choices import EventKind, Severity
from tickets.models import SlaEvent, SlaEventKind, SlaKind, SlaTarget, Ticket, TicketEvent

# A tick stays within DESIGN.md's 500 ms of database time: a batch of BATCH targets, and more
# only while the tick has taken less than TIME_BUDGET_SECONDS (a warm, quiet database). A
# backlog left over is taken by the next tick, which the engine task fires at once rather than
# at the next beat (helpdesk.tasks.engine_tick_task).
BATCH = 300
TIME_BUDGET_SECONDS = 0.2


@dataclass
class Effects:
    """What a batch decided, written afterwards in a few bulk statements."""

    sla_events: list[SlaEvent] = field(default_factory=list)
    ticket_events: list[TicketEvent] = field(default_factory=list)
    breached_tickets: set[int] = field(default_factory=set)
    credit_review: set[int] = field(default_factory=set)
    notices: list[outbox.Notice] = field(default_factory=list)
    webhooks: list[outbox.Event] = field(default_factory=list)
    _triage: notifications.Triage | None = None

    def triage(self) -> notifications.Triage:
        """Read once per batch, and only when a ticket in it has nobody else to tell."""
        if self._triage is None:
            self._triage = notifications.triage()
        return self._triage


def _recipients(effects: Effects, ticket: Ticket, *, with_lead: bool) -> list[User]:
    """The ticket's owners; a ticket with neither assignee nor team reaches the triage team."""
    return notifications.owners(ticket, with_lead=with_lead, triage_of=effects.triage)


def _left(target: SlaTarget, now: datetime) -> str:
    minutes = max(0, int((target.due_at - now).total_seconds() // 60))
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def _record(effects: Effects, target: SlaTarget, kind: str, now: datetime, **data) -> None:
    effects.sla_events.append(
        SlaEvent(
            ticket_id=target.ticket_id,
            target_kind=target.kind,
            cycle=target.cycle,
            kind=kind,
            policy_id=target.policy_id,
            at=now,
            due_at=target.due_at,
            data=data,
        )
    )
    effects.ticket_events.append(
        TicketEvent(
            ticket_id=target.ticket_id,
            kind=EventKind.SLA,
            field=target.kind,
            after=kind,
            created_at=now,
        )
    )


def _warn(effects: Effects, target: SlaTarget, now: datetime) -> None:
    ticket = target.ticket
    target.warned_at = now
    _record(effects, target, SlaEventKind.WARNED, now)
    url = ticket.get_absolute_url()
    if target.kind == SlaKind.UPDATE:
        title = f"Customer update due in {_left(target, now)} on {ticket.key}"
        body = f"Send {ticket.organization.name} a status update: {ticket.title}"
        url += "?template=status-update#composer"
    else:
        title = f"{target.get_kind_display()} due in {_left(target, now)} on {ticket.key}"
        body = f"P{ticket.severity} {Severity(ticket.severity).label}: {ticket.title}"
    key = f"sla:{ticket.pk}:{target.kind}:{target.cycle}:warned"
    for user in _recipients(effects, ticket, with_lead=False):
        effects.notices.append(
            outbox.Notice(user, title, body, url, f"{key}:{user.pk}", notifications.SLA, ticket.pk)
        )
    effects.webhooks.append(
        outbox.Event(
            "sla.warned",
            f"⚠️ {title}",
            key,
            {"ticket": ticket.key, "target": target.kind, "due_at": target.due_at.isoformat()},
        )
    )


def _breach(effects: Effects, target: SlaTarget, now: datetime) -> None:
    ticket = target.ticket
    target.breached_at = now
    _record(
        effects,
        target,
        SlaEventKind.BREACHED,
        now,
        late_seconds=round((now - target.due_at).total_seconds(), 3),
    )
    effects.breached_tickets.add(ticket.pk)
    # Seed 002: offer credit when the SLA was violated; which targets and tiers count is the
    # policy's setting.
    credit = target.policy.counts_for_credit(kind=target.kind, tier=ticket.organization.tier)
    if credit:
        effects.credit_review.add(ticket.pk)
    title = f"SLA breached: {target.get_kind_display().lower()} on {ticket.key}"
    body = f"{ticket.organization.name} · P{ticket.severity} · {ticket.title}"
    url = ticket.get_absolute_url()
    key = f"sla:{ticket.pk}:{target.kind}:{target.cycle}:breached"
    for user in _recipients(effects, ticket, with_lead=True):
        effects.notices.append(
            outbox.Notice(user, title, body, url, f"{key}:{user.pk}", notifications.SLA, ticket.pk)
        )
    effects.webhooks.append(
        outbox.Event(
            "sla.breached",
            f"🚨 {title}",
            key,
            {
                "ticket": ticket.key,
                "target": target.kind,
                "due_at": target.due_at.isoformat(),
                "organization": ticket.organization.slug,
                "credit_review": credit,
            },
        )
    )


def _claim(now: datetime) -> list[SlaTarget]:
    return list(
        SlaTarget.objects.select_for_update(skip_locked=True, of=("self", "ticket"))
        .select_related("policy", "ticket__organization", "ticket__assignee", "ticket__team__lead")
        .prefetch_related("ticket__team__members")
        .filter(next_check_at__lte=now)
        .order_by("next_check_at")[:BATCH]
    )


def _update_targets(targets: list[SlaTarget]) -> None:
    """One UPDATE for the whole batch (Django's bulk_update builds a CASE per row: far slower)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tickets_slatarget AS t
            SET warned_at = v.warned_at, breached_at = v.breached_at,
                next_check_at = v.next_check_at
            FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[])
                AS v(id, warned_at, breached_at, next_check_at)
            WHERE t.id = v.id
            """,
            [
                [t.pk for t in targets],
                [t.warned_at for t in targets],
                [t.breached_at for t in targets],
                [t.next_check_at for t in targets],
            ],
        )


SLA_EVENT_FIELDS = ("ticket", "target_kind", "cycle", "kind", "policy", "due_at", "data")
TICKET_EVENT_FIELDS = ("ticket", "field", "after")


def _flag_tickets(effects: Effects, now: datetime) -> None:
    """One UPDATE for breach flag and credit review. Neither column is indexed, so with the
    table's fillfactor the row versions stay on their page (HOT) and no index is touched."""
    if not effects.breached_tickets:
        return
    ids = sorted(effects.breached_tickets)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tickets_ticket AS t
            SET sla_breached_at = coalesce(t.sla_breached_at, %s),
                sla_credit_review = t.sla_credit_review OR v.credit
            FROM unnest(%s::bigint[], %s::boolean[]) AS v(id, credit)
            WHERE t.id = v.id
              AND (t.sla_breached_at IS NULL OR (v.credit AND NOT t.sla_credit_review))
            """,
            [now, ids, [pk in effects.credit_review for pk in ids]],
        )


def _write(effects: Effects, targets: list[SlaTarget], now: datetime) -> None:
    bulk.insert(
        SlaEvent,
        effects.sla_events,
        SLA_EVENT_FIELDS,
        constants={"at": now},
        ignore_conflicts=True,
    )
    bulk.insert(
        TicketEvent,
        effects.ticket_events,
        TICKET_EVENT_FIELDS,
        constants={"kind": EventKind.SLA, "is_internal": True, "created_at": now},
    )
    _update_targets(targets)
    _flag_tickets(effects, now)
    outbox.send(notices=effects.notices, events=effects.webhooks, now=now)


def run(now: datetime) -> int:
    deadline = engine.deadline(TIME_BUDGET_SECONDS)
    handled = 0
    while True:  # at least one batch, then more while the time budget lasts
        targets = _claim(now)
        if not targets:
            break
        effects = Effects()
        for target in targets:
            if target.warned_at is None and target.breached_at is None and now < target.due_at:
                _warn(effects, target, now)
            if target.breached_at is None and now >= target.due_at:
                _breach(effects, target, now)
            target.next_check_at = None if target.breached_at else target.due_at
        _write(effects, targets, now)
        handled += len(targets)
        if len(targets) < BATCH or time.monotonic() >= deadline:
            break
    return handled


def oldest_due() -> datetime | None:
    return (
        SlaTarget.objects.filter(next_check_at__isnull=False)
        .order_by("next_check_at")
        .values_list("next_check_at", flat=True)
        .first()
    )
