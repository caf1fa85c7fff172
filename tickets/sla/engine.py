"""The SLA module of the engine tick: warnings, customer-update reminders and breaches.

Runs inside the engine's transaction, under its advisory lock. Due rows are claimed together
with their ticket (FOR UPDATE SKIP LOCKED), so a ticket being edited right now is simply picked
up on the next tick, and no lock is ever waited for in an order that could deadlock.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from helpdesk import outbox
from helpdesk.models import User
from tickets.choices import EventKind, Severity, Tier
from tickets.models import SlaEvent, SlaEventKind, SlaKind, SlaTarget, Ticket, TicketEvent

BATCH = 500


def _recipients(ticket: Ticket, *, with_lead: bool) -> list[User]:
    people: list[User] = []
    if ticket.assignee and ticket.assignee.is_active:
        people.append(ticket.assignee)
    elif ticket.team:
        people.extend(ticket.team.members.filter(is_active=True))
    if with_lead and ticket.team and ticket.team.lead and ticket.team.lead not in people:
        people.append(ticket.team.lead)
    return people


def _left(target: SlaTarget, now: datetime) -> str:
    minutes = max(0, int((target.due_at - now).total_seconds() // 60))
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def _warn(target: SlaTarget, ticket: Ticket, now: datetime) -> None:
    target.warned_at = now
    SlaEvent.objects.create(
        ticket=ticket, target_kind=target.kind, cycle=target.cycle, kind=SlaEventKind.WARNED,
        policy=target.policy, at=now, due_at=target.due_at,
    )
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.SLA, field=target.kind, after="warned",
        before=None, created_at=now,
    )
    url = reverse("ticket_detail", args=[ticket.key])
    if target.kind == SlaKind.UPDATE:
        title = f"Customer update due in {_left(target, now)} on {ticket.key}"
        body = f"Send {ticket.organization.name} a status update: {ticket.title}"
        url += "?template=status-update#composer"
    else:
        title = f"{target.get_kind_display()} due in {_left(target, now)} on {ticket.key}"
        body = f"P{ticket.severity} {Severity(ticket.severity).label}: {ticket.title}"
    key = f"sla:{ticket.pk}:{target.kind}:{target.cycle}:warned"
    for user in _recipients(ticket, with_lead=False):
        outbox.notify_user(user=user, title=title, body=body, url=url, now=now,
                           dedup_key=f"{key}:{user.pk}")
    outbox.publish(
        event="sla.warned", text=f"⚠️ {title}", dedup_key=key, now=now,
        data={"ticket": ticket.key, "target": target.kind, "due_at": target.due_at.isoformat()},
    )


def _breach(target: SlaTarget, ticket: Ticket, now: datetime) -> None:
    target.breached_at = now
    SlaEvent.objects.create(
        ticket=ticket, target_kind=target.kind, cycle=target.cycle, kind=SlaEventKind.BREACHED,
        policy=target.policy, at=now, due_at=target.due_at,
        data={"late_seconds": round((now - target.due_at).total_seconds(), 3)},
    )
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.SLA, field=target.kind, after="breached",
        before=None, created_at=now,
    )
    flags = {"sla_breached_at": ticket.sla_breached_at or now}
    # Seed 002: offer credit if the SLA was violated, for the customers whose contract has one.
    if ticket.organization.tier == Tier.ENTERPRISE:
        flags["sla_credit_review"] = True
    Ticket.objects.filter(pk=ticket.pk).update(**flags)
    for name, value in flags.items():
        setattr(ticket, name, value)
    title = f"SLA breached: {target.get_kind_display().lower()} on {ticket.key}"
    body = f"{ticket.organization.name} · P{ticket.severity} · {ticket.title}"
    url = reverse("ticket_detail", args=[ticket.key])
    key = f"sla:{ticket.pk}:{target.kind}:{target.cycle}:breached"
    for user in _recipients(ticket, with_lead=True):
        outbox.notify_user(user=user, title=title, body=body, url=url, now=now,
                           dedup_key=f"{key}:{user.pk}")
    outbox.publish(
        event="sla.breached", text=f"🚨 {title}", dedup_key=key, now=now,
        data={"ticket": ticket.key, "target": target.kind, "due_at": target.due_at.isoformat(),
              "organization": ticket.organization.slug, "credit_review": flags.get("sla_credit_review", False)},
    )


def run(now: datetime) -> int:
    due = list(
        SlaTarget.objects.select_for_update(skip_locked=True, of=("self", "ticket"))
        .select_related("ticket__organization", "ticket__assignee", "ticket__team__lead",
                        "policy", "calendar")
        .filter(next_check_at__lte=now)
        .order_by("next_check_at")[:BATCH]
    )
    for target in due:
        ticket = target.ticket
        if target.warned_at is None and target.breached_at is None and now < target.due_at:
            _warn(target, ticket, now)
        if target.breached_at is None and now >= target.due_at:
            _breach(target, ticket, now)
        target.next_check_at = None if target.breached_at else target.due_at
        target.save(update_fields=["warned_at", "breached_at", "next_check_at"])
    return len(due)


def oldest_due() -> datetime | None:
    return (
        SlaTarget.objects.filter(next_check_at__isnull=False)
        .order_by("next_check_at").values_list("next_check_at", flat=True).first()
    )

