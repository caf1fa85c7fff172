"""The portal's line that says when the customer will hear from support."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_ticket
from tickets import services
from tickets.choices import Status
from tickets.expected import expected_answer, zone_from

pytestmark = pytest.mark.django_db

# A Tuesday, 10:00 UTC. P2 policies run on the 24/7 calendar: first response 1 h, updates 2 h.
T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def ticket(agent, customer_a, org_a):
    with time_machine.travel(T0, tick=False):
        return make_ticket(
            actor=customer_a, organization=org_a, requester=customer_a, severity=2, channel="portal"
        )


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        (PARIS, "We will reply by 12:00 your time"),
        (None, "We will reply by 11:00 UTC"),
        (ZoneInfo("Pacific/Auckland"), "We will reply by tomorrow 00:00 your time"),
    ],
)
def test_first_response_is_told_in_the_customers_clock(ticket, zone, text):
    assert expected_answer(ticket, now=T0, zone=zone).text == text


def test_after_the_first_reply_the_next_update_is_told(ticket, agent):
    with time_machine.travel(T0, tick=False):
        services.comment_add(ticket=ticket, author=agent, body="Looking into it")
    assert expected_answer(ticket, now=T0, zone=PARIS).text == "Next update by 13:00 your time"


def test_nothing_is_promised_while_waiting_on_the_customer_or_resolved(ticket, agent):
    with time_machine.travel(T0, tick=False):
        services.ticket_transition(
            ticket=ticket, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Which region?"
        )
        assert expected_answer(ticket, now=T0, zone=PARIS) is None
        services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=agent)
        assert expected_answer(ticket, now=T0, zone=PARIS) is None


def test_an_invalid_zone_from_the_browser_falls_back_to_utc():
    assert zone_from("Mars/Olympus") is None
    assert zone_from("../../etc/passwd") is None
    assert zone_from("Europe/Paris") == PARIS


def test_portal_page_shows_the_line_in_the_cookie_zone(client, ticket, customer_a):
    client.force_login(customer_a)
    client.cookies["tz"] = "Europe/Paris"
    with time_machine.travel(T0, tick=False):
        html = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()
    assert '<time datetime="2026-11-24T11:00:00+00:00">We will reply by 12:00 your time</time>' in (
        html
    )
