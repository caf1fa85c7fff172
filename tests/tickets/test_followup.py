"""Follow-ups of closed tickets, from the agent's page and from the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.errors import DomainError
from tests.factories import make_ticket
from tickets import services
from tickets.choices import Category, EventKind, Severity, Status
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(agent, org_a, customer_a):
    ticket = make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        title="Webhooks arrive twice",
        category=Category.INTEGRATION,
        tags=["webhooks"],
        product_version="4.2",
        severity=Severity.P2,
    )
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent)
    return ticket


def test_an_agents_follow_up_copies_the_context_and_links_both_ways(agent, closed, customer_a):
    follow_up = services.ticket_follow_up(ticket=closed, actor=agent, title="Twice again")

    assert follow_up.follow_up_of_id == closed.pk
    assert (follow_up.organization_id, follow_up.requester_id) == (
        closed.organization_id,
        customer_a.pk,
    )
    assert (follow_up.category, follow_up.tags, follow_up.product_version) == (
        Category.INTEGRATION,
        ["webhooks"],
        "4.2",
    )
    assert follow_up.severity == Severity.P2
    assert follow_up.status == Status.NEW
    assert TicketEvent.objects.get(ticket=closed, kind=EventKind.FOLLOW_UP).after == {
        "follow_up": follow_up.key
    }
    assert TicketEvent.objects.get(ticket=follow_up, kind=EventKind.FOLLOW_UP).after == {
        "of": closed.key
    }


def test_an_open_ticket_gets_a_reply_not_a_follow_up(agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    with pytest.raises(DomainError) as refused:
        services.ticket_follow_up(ticket=ticket, actor=agent, title="More")
    assert refused.value.code == "follow_up_of_open"
    assert not Ticket.objects.filter(follow_up_of=ticket).exists()


def test_the_pages_show_the_follow_up_on_both_sides(client, agent, closed):
    client.force_login(agent)
    answer = client.post(
        reverse("ticket_follow_up", args=[closed.key]),
        {"title": "Twice again", "description": "Since Monday", "severity": "3"},
    )
    follow_up = Ticket.objects.get(follow_up_of=closed)
    assert answer["Location"] == reverse("ticket_detail", args=[follow_up.key])

    new_page = client.get(answer["Location"]).content.decode()
    old_page = client.get(reverse("ticket_detail", args=[closed.key])).content.decode()

    assert f'Follow-up of <a href="{reverse("ticket_detail", args=[closed.key])}">' in new_page
    assert 'id="follow-ups"' in old_page
    assert follow_up.key in old_page


def test_a_customer_opens_a_follow_up_from_the_portal(client, closed, customer_a):
    client.force_login(customer_a)
    page = client.get(reverse("portal_ticket", args=[closed.key])).content.decode()
    assert reverse("portal_follow_up", args=[closed.key]) in page

    answer = client.post(
        reverse("portal_follow_up", args=[closed.key]),
        {"title": "Still twice", "description": "Seen again today", "severity": "2"},
    )

    follow_up = Ticket.objects.get(follow_up_of=closed)
    assert answer["Location"] == reverse("portal_ticket", args=[follow_up.key])
    assert (follow_up.requester_id, follow_up.channel) == (customer_a.pk, "portal")
    shown = client.get(answer["Location"]).content.decode()
    assert f"opened this ticket as a follow-up of {closed.key}" in shown


def test_another_organizations_customer_cannot_follow_up(client, closed, customer_b):
    client.force_login(customer_b)
    answer = client.post(reverse("portal_follow_up", args=[closed.key]), {"title": "Mine now"})
    assert answer.status_code == 404
    assert not Ticket.objects.filter(follow_up_of=closed).exists()
