"""What the customer's timeline on the portal says about status changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_contact, make_ticket
from tickets import services
from tickets.choices import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(org_a, customer_a, agent):
    ticket = make_ticket(actor=customer_a, organization=org_a, requester=customer_a)
    for status in (Status.INVESTIGATING, Status.IN_PROGRESS):
        ticket = services.ticket_transition(ticket=ticket, to=status, actor=agent)
    return services.ticket_transition(
        ticket=ticket,
        to=Status.WAITING_ON_CUSTOMER,
        actor=agent,
        message="Which request id did you get?",
    )


def status_lines(client, ticket) -> list[tuple[str, str]]:
    entries = client.get(reverse("portal_ticket", args=[ticket.key])).context["entries"]
    return [(e.text, e.pill_label) for e in entries if e.kind == "event"][-1:]


def test_an_agent_moving_a_waiting_ticket_on_is_not_called_a_reply(
    client, waiting, customer_a, agent
):
    services.ticket_transition(ticket=waiting, to=Status.IN_PROGRESS, actor=agent)
    client.force_login(customer_a)

    assert status_lines(client, waiting) == [("Alex Agent changed the status to", "In progress")]


def test_the_customers_own_reply_says_it_moved_the_ticket(client, waiting, customer_a):
    services.comment_add(ticket=waiting, author=customer_a, body="Here is the request id")
    client.force_login(customer_a)

    assert status_lines(client, waiting) == [("You replied, so the ticket moved to", "In progress")]


def test_another_contacts_reply_names_them(client, waiting, customer_a, org_a):
    colleague = make_contact(org_a, first_name="Robin", last_name="Acme")
    services.comment_add(ticket=waiting, author=colleague, body="Adding the logs")
    client.force_login(customer_a)

    assert status_lines(client, waiting) == [
        ("Robin Acme replied, so the ticket moved to", "In progress")
    ]
