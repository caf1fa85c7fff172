"""Hand-built tickets with known dashboard figures, made through the services at fixed times.

Day D is Monday 2 March 2026 (UTC); every ticket is P2 (first response 1 h, resolution 8 h,
on the 24/7 calendar) in one organization, created at 09:00:
- A: replied after 30 min, resolved after 2 h. First contact.
- B: replied after 2 h (first response breached), resolved after 3 h, reopened on D+1 at 09:00
  and resolved again at 10:00 (a reopen within 7 days; its resolution counts once).
- C: escalated after 10 min, replied after 20 min, resolved after 5 h (not first contact).
- D: asked the customer after 30 min (waiting: the resolution clock pauses), the customer
  answered 8 h later, resolved at 18:00: 9 h on the wall clock, 1 h of SLA time, so met.
- E: never answered nor resolved: open at the end of D (age < 1 day) and D+1 (1-3 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from tickets import services
from tickets.models import Organization, Ticket

DAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


@dataclass
class Scenario:
    organization: Organization
    tickets: dict[str, Ticket]


def build(*, agent, customer, organization, team=None) -> Scenario:
    def new(name: str) -> Ticket:
        return services.ticket_create(
            actor=agent,
            organization=organization,
            title=f"Ticket {name}",
            severity=2,
            category="authentication",
            channel="email",
            requester=customer,
            now=T0,
            **({"team": team} if team else {}),
        )

    def reply(ticket: Ticket, at: datetime, author=agent) -> None:
        services.comment_add(ticket=ticket, author=author, body="Hello", now=at)

    def move(ticket: Ticket, to: str, at: datetime, message: str = "") -> None:
        services.ticket_transition(
            ticket=Ticket.objects.get(pk=ticket.pk), to=to, actor=agent, message=message, now=at
        )

    t = {name: new(name) for name in "ABCDE"}
    reply(t["A"], T0 + 30 * M)
    move(t["A"], "resolved", T0 + 2 * H)

    reply(t["B"], T0 + 2 * H)
    move(t["B"], "resolved", T0 + 3 * H)
    move(t["B"], "investigating", T0 + 24 * H)
    move(t["B"], "resolved", T0 + 25 * H)

    with transaction.atomic():
        services.ticket_record_escalation_step(
            ticket_id=t["C"].pk, summary="Escalated to tier 2", actor=agent, now=T0 + 10 * M
        )
    reply(t["C"], T0 + 20 * M)
    move(t["C"], "resolved", T0 + 5 * H)

    move(t["D"], "waiting_on_customer", T0 + 30 * M, message="Which account is it?")
    reply(t["D"], T0 + 8 * H + 30 * M, author=customer)
    move(t["D"], "resolved", T0 + 9 * H)
    return Scenario(organization=organization, tickets=t)
