"""The ticket changed under an open page: the heartbeat says so, and a crossing reply is held."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_agent, make_ticket
from tickets import services
from tickets.collisions import CrossedReply
from tickets.models import Comment, TicketEvent

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scene(agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Slow API")
    seen = TicketEvent.objects.filter(ticket=ticket).latest("id").pk
    return ticket, seen


def test_the_heartbeat_names_who_replied_since_the_page_was_drawn(client, agent, scene, customer_a):
    ticket, seen = scene
    client.force_login(agent)
    url = reverse("ticket_presence", args=[ticket.key])
    quiet = client.post(url, {"state": "viewing", "seen_event": seen}, **HX).content.decode()
    assert 'id="collision-warning"' not in quiet

    services.comment_add(ticket=ticket, author=customer_a, body="Any news?")
    told = client.post(url, {"state": "viewing", "seen_event": seen}, **HX).content.decode()

    assert "<strong>Casey Acme</strong> replied 0 s ago" in told
    assert f'value="{seen}"' in told  # the page still has not shown it


def test_my_own_change_is_no_collision(client, agent, scene):
    ticket, seen = scene
    services.comment_add(ticket=ticket, author=agent, body="On it")
    client.force_login(agent)
    html = client.post(
        reverse("ticket_presence", args=[ticket.key]), {"seen_event": seen}, **HX
    ).content.decode()
    assert 'id="collision-warning"' not in html


def test_a_property_change_is_named(client, agent, scene):
    ticket, seen = scene
    other = make_agent(username="sam", first_name="Sam", last_name="Lee")
    services.ticket_update(ticket=ticket, actor=other, changes={"severity": 1})
    client.force_login(agent)
    html = client.post(
        reverse("ticket_presence", args=[ticket.key]), {"seen_event": seen}, **HX
    ).content.decode()
    assert "<strong>Sam Lee</strong> changed severity from P3 Medium to P1 Critical" in html


def test_a_reply_crossing_a_newer_one_is_held_with_the_draft_kept(client, agent, scene, customer_a):
    ticket, seen = scene
    services.comment_add(ticket=ticket, author=customer_a, body="Any news?")
    client.force_login(agent)
    url = reverse("ticket_reply", args=[ticket.key])

    held = client.post(url, {"body": "We are on it.", "seen_event": seen}, **HX).content.decode()

    assert "Casey Acme replied" in held
    assert "Your draft is kept." in held
    assert "We are on it.</textarea>" in held
    assert not Comment.objects.filter(ticket=ticket, author=agent).exists()
    # The refreshed page has shown the newer reply: sending again goes through.
    now_seen = TicketEvent.objects.filter(ticket=ticket).latest("id").pk
    assert f'value="{now_seen}"' in held
    client.post(url, {"body": "We are on it.", "seen_event": now_seen}, **HX)
    assert Comment.objects.filter(ticket=ticket, author=agent).count() == 1


def test_the_service_refuses_a_crossing_reply_under_the_lock(agent, scene, customer_a):
    ticket, seen = scene
    services.comment_add(ticket=ticket, author=customer_a, body="Hello?")
    with pytest.raises(CrossedReply) as held:
        services.comment_add(ticket=ticket, author=agent, body="Hi", seen_event_id=seen)
    assert held.value.code == "crossed_reply"
    assert held.value.status == 409
