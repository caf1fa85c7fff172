"""Resolving an incident's open tickets with the parent, one reply to each customer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_contact, make_ticket
from tickets import services
from tickets.choices import Status
from tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_resolving_the_children_replies_to_each_customer_and_reports_each(
    client, agent, org_a, org_b
):
    parent = make_ticket(actor=agent, organization=org_a, title="API outage")
    customers = [make_contact(org, username=f"c{org.pk}") for org in (org_a, org_b)]
    children = [
        make_ticket(actor=agent, organization=c.contact.organization, requester=c, parent=parent)
        for c in customers
    ]
    done = make_ticket(actor=agent, organization=org_a, parent=parent)
    services.ticket_transition(ticket=done, to=Status.CLOSED, actor=agent)
    services.ticket_transition(ticket=parent, to=Status.RESOLVED, actor=agent)
    client.force_login(agent)

    page = client.get(reverse("ticket_detail", args=[parent.key])).content.decode()
    assert "Resolve the 2 open tickets too" in page

    answer = client.post(
        reverse("ticket_resolve_children", args=[parent.key]),
        {"message": "The outage is over."},
        **HX,
    )

    html = answer.content.decode()
    assert f"Resolved with your reply: {children[0].key}, {children[1].key}." in html
    for child in children:
        assert Ticket.objects.get(pk=child.pk).status == Status.RESOLVED
        reply = Comment.objects.get(ticket=child)
        assert (reply.body, reply.is_internal) == ("The outage is over.", False)
    assert Ticket.objects.get(pk=done.pk).status == Status.CLOSED
    assert not Comment.objects.filter(ticket=done).exists()


def test_an_empty_reply_resolves_nobody(agent, org_a):
    parent = make_ticket(actor=agent, organization=org_a)
    child = make_ticket(actor=agent, organization=org_a, parent=parent)
    with pytest.raises(services.DomainError):
        services.children_resolve(parent=parent, actor=agent, message="  ")
    assert Ticket.objects.get(pk=child.pk).status == Status.NEW
