"""The lost-update guard of ticket_update: an edit made on an older view of a field is refused."""

from __future__ import annotations

import pytest

from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import services
from tickets.conflicts import StaleChange
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(agent, org_a):
    return make_ticket(actor=agent, organization=org_a, title="Login broken", severity=3)


def test_change_on_a_stale_value_is_refused_naming_who_changed_it(agent, manager, ticket):
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 1})
    events_before = TicketEvent.objects.count()

    with pytest.raises(StaleChange) as refused:
        services.ticket_update(
            ticket=ticket, actor=agent, changes={"severity": 2}, expected={"severity": 3}
        )

    assert refused.value.code == "stale_change"
    assert refused.value.status == 409
    assert refused.value.field == "severity"
    message = refused.value.message
    assert message.startswith("Morgan Manager changed Severity to P1 · Critical at ")
    assert "(you saw P3 · Medium)" in message
    assert "Your change to P2 · High was not saved" in message
    assert Ticket.objects.get(pk=ticket.pk).severity == 1
    assert TicketEvent.objects.count() == events_before


def test_fields_changed_by_someone_else_are_kept_when_another_field_is_edited(
    agent, manager, ticket
):
    security = TeamFactory(name="Security", slug="security")
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 1, "team": security})

    # The agent's page still shows P3 and no team; the agent changes only the assignee.
    services.ticket_update(
        ticket=ticket, actor=agent, changes={"assignee": agent}, expected={"assignee": None}
    )

    ticket.refresh_from_db()
    assert (ticket.severity, ticket.team, ticket.assignee) == (1, security, agent)


def test_stale_related_value_compares_by_row(agent, manager, ticket):
    first, second = TeamFactory(slug="first"), TeamFactory(slug="second")
    services.ticket_update(ticket=ticket, actor=manager, changes={"team": first})
    services.ticket_update(ticket=ticket, actor=manager, changes={"team": second})

    with pytest.raises(StaleChange, match="changed Team to"):
        services.ticket_update(
            ticket=ticket,
            actor=agent,
            changes={"team": None},
            expected={"team": first},
        )
    # A copy of the same row read separately is the same value.
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        changes={"team": None},
        expected={"team": type(second).objects.get(pk=second.pk)},
    )
    assert Ticket.objects.get(pk=ticket.pk).team is None


def test_the_same_change_made_twice_is_not_a_conflict(agent, manager, ticket):
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 2})
    events_before = TicketEvent.objects.count()

    services.ticket_update(
        ticket=ticket, actor=agent, changes={"severity": 2}, expected={"severity": 3}
    )

    assert TicketEvent.objects.count() == events_before


def test_unchanged_expected_value_lets_the_change_through(agent, ticket):
    colleague = make_agent(first_name="Robin", last_name="Reyes")
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        changes={"assignee": colleague, "category": "authentication"},
        expected={"assignee": None, "category": "other"},
    )
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.category) == (colleague, "authentication")


def test_without_expected_values_the_last_writer_wins_as_before(agent, manager, ticket):
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 1})
    services.ticket_update(ticket=ticket, actor=agent, changes={"severity": 2})
    assert Ticket.objects.get(pk=ticket.pk).severity == 2
