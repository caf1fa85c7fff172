from __future__ import annotations

import pytest
from django.core.management import call_command

from mail.models import InboundMessage
from tests.factories import OrganizationFactory, make_contact
from tickets.models import Ticket


@pytest.mark.django_db
def test_seed_mail_opens_a_ticket_from_html_and_holds_some():
    acme = OrganizationFactory(domain="acme.com")
    northwind = OrganizationFactory(domain="northwind.example")
    make_contact(acme, email="raj.patel@acme.com")
    make_contact(acme, email="emily.novak@acme.com")
    make_contact(northwind, email="mei.tanaka@northwind.example")

    call_command("seed_mail", if_empty=True)
    call_command("seed_mail", if_empty=True)  # a second run adds nothing

    rows = dict(InboundMessage.objects.values_list("message_id", "status"))
    assert sorted(rows.values()) == ["held", "held", "held", "ignored", "ticketed"]
    ticket = Ticket.objects.get(pk=InboundMessage.objects.get(status="ticketed").ticket_id)
    assert ticket.channel == "email"
    assert "**every** delivery" in ticket.description
    assert "MsoNormal" not in ticket.description
    assert list(ticket.attachments.values_list("original_name", flat=True)) == ["verifier.png"]
