"""Followers and CC: people told of a ticket's news without owning or having asked it.

- An agent follows a ticket from its page and is told of customer replies, status changes and
  assignment changes (tickets/notifications.py), never of their own actions.
- A customer copies colleagues of their own organization on a ticket (the portal); they see it
  like every contact of the organization, find it marked "CC" in their list, and are told of its
  public updates like the requester. Security reports stay with the contact who filed them, so
  they take no CC.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from helpdesk import clock
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import Role, User

from .choices import EventKind
from .models import Ticket, TicketCc, TicketEvent, TicketFollower
from .selectors import users_who_can_see

MAX_CC = 20
PICKER_LIMIT = 10


def _record(ticket: Ticket, *, actor: User, field: str, summary: str, internal: bool, now):
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=EventKind.FIELD,
        field=field,
        after={"summary": summary},
        is_internal=internal,
        created_at=now,
    )


def is_following(ticket: Ticket, user: User) -> bool:
    return TicketFollower.objects.filter(ticket=ticket, user=user).exists()


@transaction.atomic
def ticket_follow(*, ticket: Ticket, user: User, now: datetime | None = None) -> bool:
    """Start following; False when the user already follows the ticket. Agents only, and only
    a ticket they may see (the caller read it through the access policy)."""
    if not user.is_agent_side:
        raise Forbidden("Only agents follow tickets; customers are told of their own tickets.")
    now = now or clock.now()
    _, created = TicketFollower.objects.get_or_create(
        ticket=ticket, user=user, defaults={"created_at": now}
    )
    if created:
        _record(
            ticket, actor=user, field="followers", summary="started following", internal=True,
            now=now,
        )  # fmt: skip
    return created


@transaction.atomic
def ticket_unfollow(*, ticket: Ticket, user: User, now: datetime | None = None) -> bool:
    deleted, _ = TicketFollower.objects.filter(ticket=ticket, user=user).delete()
    if deleted:
        _record(
            ticket, actor=user, field="followers", summary="stopped following", internal=True,
            now=now or clock.now(),
        )  # fmt: skip
    return bool(deleted)


def followers_of(ticket: Ticket) -> list[User]:
    """The active agents following the ticket who may still see it."""
    users = User.objects.filter(followed_tickets__ticket=ticket, is_active=True).order_by("pk")
    return list(users_who_can_see(ticket, users))


def cc_of(ticket: Ticket) -> list[User]:
    """The contacts on the ticket's CC who may still see it (same organization, active)."""
    users = User.objects.filter(cc_tickets__ticket=ticket, is_active=True).order_by(
        "first_name", "last_name", "pk"
    )
    return list(users_who_can_see(ticket, users))


def _check_cc(ticket: Ticket, *, contact: User, actor: User) -> None:
    if actor.is_customer and getattr(getattr(actor, "contact", None), "organization_id", None) != (
        ticket.organization_id
    ):
        raise Forbidden("Only a contact of the ticket's organization adds people to its CC.")
    if ticket.is_security:
        raise DomainError(
            "A security report stays with the person who filed it: it takes no CC.",
            field="cc",
            code="cc_security",
        )
    org_id = getattr(getattr(contact, "contact", None), "organization_id", None)
    if not (
        contact.is_active and contact.role == Role.CUSTOMER and org_id == ticket.organization_id
    ):
        raise DomainError(
            "Only active colleagues of the same organization can be copied on a ticket.",
            field="cc",
            code="cc_other_organization",
        )
    if contact.pk == ticket.requester_id:
        raise DomainError(
            f"{contact.display_name} opened this ticket and is told of it already.",
            field="cc",
            code="cc_requester",
        )


@transaction.atomic
def ticket_cc_add(
    *, ticket: Ticket, contact: User, actor: User, now: datetime | None = None
) -> bool:
    """Copy a colleague of the ticket's organization; False when they already are."""
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    _check_cc(ticket, contact=contact, actor=actor)
    if TicketCc.objects.filter(ticket=ticket, user=contact).exists():
        return False
    if TicketCc.objects.filter(ticket=ticket).count() >= MAX_CC:
        raise DomainError(f"A ticket has at most {MAX_CC} people on CC.", field="cc")
    now = now or clock.now()
    TicketCc.objects.create(ticket=ticket, user=contact, added_by=actor, created_at=now)
    _record(
        ticket, actor=actor, field="cc", summary=f"added {contact.display_name} to CC",
        internal=False, now=now,
    )  # fmt: skip
    return True


@transaction.atomic
def ticket_cc_remove(
    *, ticket: Ticket, contact: User, actor: User, now: datetime | None = None
) -> bool:
    if actor.is_customer and getattr(getattr(actor, "contact", None), "organization_id", None) != (
        ticket.organization_id
    ):
        raise Forbidden("Only a contact of the ticket's organization changes its CC.")
    deleted, _ = TicketCc.objects.filter(ticket=ticket, user=contact).delete()
    if deleted:
        _record(
            ticket, actor=actor, field="cc", summary=f"removed {contact.display_name} from CC",
            internal=False, now=now or clock.now(),
        )  # fmt: skip
    return bool(deleted)


def cc_candidates(ticket: Ticket, *, query: str = "") -> QuerySet[User]:
    """Colleagues a customer may copy: active contacts of the ticket's organization, not the
    requester, not already on CC, matching the name or email typed; at most PICKER_LIMIT."""
    users = User.objects.filter(
        role=Role.CUSTOMER, is_active=True, contact__organization_id=ticket.organization_id
    ).exclude(Q(pk=ticket.requester_id) | Q(cc_tickets__ticket=ticket))
    for word in query.split()[:4]:
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(username__icontains=word)
        )
    return users.order_by("first_name", "last_name", "pk")[:PICKER_LIMIT]
