"""Follow-ups: a closed ticket is final, so a customer whose problem comes back (or an agent on
their behalf) opens a follow-up, a new ticket that links back to it and starts from its context:
the organization, the requester, the category, issue type, environment, version and tags, and the
security flag (a follow-up of a security report stays one)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from helpdesk import clock
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User

from .choices import Channel, EventKind, Status
from .models import Ticket, TicketEvent
from .selectors import tickets_visible_to

# Copied from the closed ticket; the rest (severity, impact, the error) is the new problem's.
COPIED_FIELDS = (
    "category",
    "issue_type",
    "environment",
    "product_version",
    "platform",
    "browser",
    "account_type",
    "tags",
    "is_security",
)


def check(*, actor: User, ticket: Ticket) -> None:
    if not tickets_visible_to(actor).filter(pk=ticket.pk).exists():
        raise Forbidden(f"No ticket {ticket.key} that you can see.")
    if ticket.status != Status.CLOSED:
        raise DomainError(
            f"{ticket.key} is still {Status(ticket.status).label.lower()}: reply on it instead. "
            "A follow-up is for a closed ticket.",
            code="follow_up_of_open",
        )
    if ticket.merged_into_id:
        raise DomainError(
            f"{ticket.key} was merged into {ticket.merged_into_key}: follow that one up.",
            code="follow_up_of_merged",
        )


@transaction.atomic
def ticket_follow_up(
    *,
    ticket: Ticket,
    actor: User,
    title: str,
    description: str = "",
    severity: int | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Open a follow-up of the closed `ticket`; both timelines say so (public on both)."""
    from .services import ticket_create  # services imports this module at its end

    ticket = Ticket.objects.select_related("organization", "requester").get(pk=ticket.pk)
    check(actor=actor, ticket=ticket)
    now = now or clock.now()
    fields = {name: getattr(ticket, name) for name in COPIED_FIELDS}
    fields["severity"] = severity or ticket.severity
    if actor.is_agent_side:
        requester, fields["channel"] = ticket.requester, ticket.channel
    else:
        requester, fields["channel"] = actor, Channel.PORTAL
    follow_up = ticket_create(
        actor=actor,
        organization=ticket.organization,
        title=title,
        description=description,
        requester=requester,
        now=now,
        **fields,
    )
    Ticket.objects.filter(pk=follow_up.pk).update(follow_up_of=ticket)
    follow_up.follow_up_of = ticket
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=follow_up, actor=actor, kind=EventKind.FOLLOW_UP, field="follow_up_of",
                after={"of": ticket.key}, is_internal=False, created_at=now,
            ),
            TicketEvent(
                ticket=ticket, actor=actor, kind=EventKind.FOLLOW_UP, field="follow_ups",
                after={"follow_up": follow_up.key}, is_internal=False, created_at=now,
            ),
        ]
    )  # fmt: skip
    return follow_up
