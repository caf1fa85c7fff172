from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk import clock
from helpdesk.models import OutboundChannel, OutboundMessage
from mail.inbound import receive
from tests.factories import OrganizationFactory, make_contact, make_ticket

CORPUS = Path(__file__).parent / "corpus"

FIRST_MAIL = b"""From: Anna Meyer <anna@acme.example>
To: support@helpdesk.example
Subject: Webhook deliveries delayed
Message-ID: <seen-1@acme.example>
Content-Type: text/plain; charset=utf-8

Our webhook deliveries have been delayed by about ten minutes since this morning.
""".replace(b"\n", b"\r\n")


@pytest.fixture
def mailbox(db):
    """A customer organization with a domain, its contact Anna, a ticket she opened by mail
    (so its Message-ID is known) and a notice we mailed her about it (an outbox row)."""
    org = OrganizationFactory(name="Acme", slug="acme-mail", domain="acme.example")
    anna = make_contact(org, username="anna", email="anna@acme.example")
    first = receive(FIRST_MAIL, source="test")
    assert first.status == "ticketed", first.error
    from tickets.models import Ticket

    ticket = Ticket.objects.get(pk=first.ticket_id)
    outbox = OutboundMessage.objects.create(
        channel=OutboundChannel.EMAIL,
        recipient=anna.email,
        subject=f"[{ticket.key}] We replied",
        payload={"ticket_id": ticket.pk},
        dedup_key=f"test-reply-{ticket.pk}",
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    return {"org": org, "anna": anna, "ticket": ticket, "outbox": outbox, "first": first}


def corpus_message(name: str, mailbox: dict) -> bytes:
    raw = (CORPUS / name).read_bytes()
    return raw.replace(b"{{TICKET}}", str(mailbox["ticket"].number).encode()).replace(
        b"{{OUTBOX}}", str(mailbox["outbox"].pk).encode()
    )


__all__ = ["make_ticket", "corpus_message"]
