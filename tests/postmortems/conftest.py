from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from helpdesk.models import Role
from tests.factories import OrganizationFactory, make_agent, make_contact, make_ticket
from tickets import services as ticket_services

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def people(db):
    return {
        "agent": make_agent(username="ava", first_name="Ava", last_name="Lindqvist"),
        "oncall": make_agent(
            username="olu", first_name="Olu", last_name="Okafor", role=Role.ENGINEER
        ),
        "manager": make_agent(
            username="mia", first_name="Mia", last_name="Moreau", role=Role.MANAGER
        ),
    }


def resolve(ticket, actor, *, at):
    with time_machine.travel(at, tick=False):
        if ticket.status == "new":
            ticket = ticket_services.ticket_transition(
                ticket=ticket, to="investigating", actor=actor, now=at - timedelta(minutes=1)
            )
        return ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=actor, now=at)


@pytest.fixture
def incident(people):
    """A P1 with an on-call page sent and acknowledged, a linked ticket of another customer, then
    resolved: what escalation writes on the ticket, through tickets.services."""
    agent, oncall = people["agent"], people["oncall"]
    acme = OrganizationFactory(name="Acme Corp", slug="acme", tier="enterprise")
    globex = OrganizationFactory(name="Globex", slug="globex")
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(
            actor=agent, organization=acme, severity=1, title="Checkout down", assignee=agent
        )
        ticket_services.ticket_record_page_step(
            ticket_id=ticket.pk, summary="started an on-call page (P1; policy P1)", actor=None,
            now=T0 + timedelta(seconds=5), data={"page": 1},
        )  # fmt: skip
        ticket_services.ticket_record_page_step(
            ticket_id=ticket.pk, summary="paged level 1: Olu Okafor", actor=None,
            now=T0 + timedelta(seconds=6), data={"page": 1},
        )  # fmt: skip
        ticket_services.ticket_record_page_step(
            ticket_id=ticket.pk,
            summary="acknowledged the on-call page (web) after 4 min, at level 1",
            actor=oncall, now=T0 + timedelta(minutes=4), data={"page": 1},
        )  # fmt: skip
        child = make_ticket(
            actor=agent, organization=globex, severity=2, title="Cannot pay", parent=ticket
        )
        ticket_services.comment_add(
            ticket=ticket, author=agent, body="We are on it; next update in 30 minutes.",
            now=T0 + timedelta(minutes=10),
        )  # fmt: skip
    ticket = resolve(ticket, agent, at=T0 + timedelta(hours=2))
    return ticket, child


@pytest.fixture
def contact(db):
    return make_contact(username="casey", first_name="Casey", last_name="Customer")
