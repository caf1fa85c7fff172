"""Where a message goes: which ticket a reply belongs to, and who sent it.

A reply is matched by In-Reply-To and References against the Message-IDs we sent (the outbox)
and received (InboundMessage), newest reference first, then by the ticket key in the subject.
Whoever it comes from must be allowed to see that ticket by the one access policy
(tickets.selectors); nobody else's mail ever lands on it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model

from helpdesk.models import OutboundMessage, User
from tickets.models import Organization, Ticket
from tickets.selectors import tickets_visible_to

from .models import InboundMessage

OUTBOX_ID = re.compile(r"^<outbox-(\d+)@[^>]*>$")


def outbox_id(message_id: str) -> int | None:
    match = OUTBOX_ID.match(message_id.strip())
    return int(match.group(1)) if match else None


def _subject_key() -> re.Pattern:
    prefix = re.escape(settings.HELPDESK_TICKET_PREFIX)
    return re.compile(rf"\[\s*{prefix}-(\d+)\s*\]", re.IGNORECASE)


def ticket_id_from_payload(payload: dict) -> int | None:
    """The ticket an outbox row was about, as its payload names it (by id or by key)."""
    for name in ("ticket_id", "ticket"):
        value = payload.get(name)
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            if value.isdigit():
                return int(value)
            number = value.rpartition("-")[2]
            if number.isdigit():
                found = Ticket.objects.filter(number=int(number)).values_list("pk", flat=True)
                return next(iter(found), None)
    number = payload.get("ticket_number")
    if isinstance(number, int):
        return next(iter(Ticket.objects.filter(number=number).values_list("pk", flat=True)), None)
    return None


def referenced_ticket(
    *, in_reply_to: list[str], references: list[str], subject: str
) -> Ticket | None:
    """The ticket a reply answers, or None for new mail."""
    ids = list(dict.fromkeys([*in_reply_to, *reversed(references)]))
    ours = [pk for pk in (outbox_id(i) for i in ids) if pk is not None]
    if ours:
        payloads = dict(OutboundMessage.objects.filter(pk__in=ours).values_list("pk", "payload"))
        for pk in ours:
            ticket_id = ticket_id_from_payload(payloads.get(pk) or {})
            if ticket_id is not None:
                ticket = Ticket.objects.filter(pk=ticket_id).first()
                if ticket is not None:
                    return ticket
    theirs = [i for i in ids if outbox_id(i) is None]
    if theirs:
        known = dict(
            InboundMessage.objects.filter(
                message_id__in=theirs, duplicate_of__isnull=True, ticket_id__isnull=False
            ).values_list("message_id", "ticket_id")
        )
        for message_id in theirs:
            if message_id in known:
                ticket = Ticket.objects.filter(pk=known[message_id]).first()
                if ticket is not None:
                    return ticket
    match = _subject_key().search(subject or "")
    if match:
        return Ticket.objects.filter(number=int(match.group(1))).first()
    return None


def may_see(user: User, ticket: Ticket) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def sender_user(address: str) -> User | None:
    """The active user with this address (a contact, or an agent answering by mail)."""
    if not address:
        return None
    found = list(
        get_user_model()
        .objects.filter(email__iexact=address, is_active=True)
        .select_related("contact")
        .order_by("pk")[:2]
    )
    # Two accounts share the address: neither is sure to be the sender.
    return found[0] if len(found) == 1 else None


def organization_for_domain(address: str) -> Organization | None:
    domain = address.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    found = list(Organization.objects.filter(domain__iexact=domain).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None
