"""The impact figures, counted from the durable rows rather than typed in: how long the ticket
was open until its resolution, which customers were affected (the ticket's organisation and
those of its linked child tickets) and how many SLA targets were breached on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tickets.models import SlaEvent, SlaEventKind, Ticket


@dataclass(frozen=True)
class Impact:
    duration: timedelta | None
    organizations: list[str]
    affected_tickets: int
    sla_breaches: int

    @property
    def duration_text(self) -> str:
        if self.duration is None:
            return "still open"
        minutes = int(self.duration.total_seconds() // 60)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        parts = [f"{days} d"] if days else []
        if hours:
            parts.append(f"{hours} h")
        if minutes or not parts:
            parts.append(f"{minutes} min")
        return " ".join(parts)


def affected_tickets(ticket: Ticket):
    """The ticket and its children (security children only with a security ticket)."""
    children = Ticket.objects.filter(parent=ticket)
    if not ticket.is_security:
        children = children.filter(is_security=False)
    return Ticket.objects.filter(pk=ticket.pk) | children


def impact(ticket: Ticket) -> Impact:
    tickets = affected_tickets(ticket)
    organizations = sorted(
        set(tickets.exclude(organization=None).values_list("organization__name", flat=True))
    )
    breaches = SlaEvent.objects.filter(
        ticket__in=tickets.values("pk"), kind=SlaEventKind.BREACHED
    ).count()
    end = ticket.resolved_at or ticket.closed_at
    return Impact(
        duration=(end - ticket.created_at) if end else None,
        organizations=organizations,
        affected_tickets=tickets.count(),
        sla_breaches=breaches,
    )
