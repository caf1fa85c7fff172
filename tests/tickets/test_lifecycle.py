"""The status lifecycle as the services enforce it: every allowed move works and is recorded once,
every other move is refused and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from helpdesk.errors import DomainError
from tests.factories import make_ticket
from tickets import lifecycle, services
from tickets.choices import EventKind, Status
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)

ALL_PAIRS = list(product(Status.values, Status.values))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in lifecycle.TRANSITIONS[a]]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in lifecycle.TRANSITIONS[a]]


def ticket_in(status: str, *, agent, organization, requester=None) -> Ticket:
    """A ticket brought to `status` as the product would: every status is one move from new."""
    ticket = make_ticket(actor=agent, organization=organization, requester=requester, now=T0)
    if status != Status.NEW:
        ticket = services.ticket_transition(
            ticket=ticket, to=status, actor=agent, message=_message_for(status), now=T0
        )
    return Ticket.objects.get(pk=ticket.pk)


def _message_for(status: str) -> str:
    """Waiting on the customer comes with the public question they are to answer."""
    return "Which request id did you get?" if status == Status.WAITING_ON_CUSTOMER else ""


def test_the_table_covers_every_status():
    assert set(lifecycle.TRANSITIONS) == set(Status.values)
    assert len(ALLOWED) == 18
    assert len(REFUSED) == 18


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_writes_exactly_one_status_event(agent, org_a, current, target):
    ticket = ticket_in(current, agent=agent, organization=org_a)
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    moved = services.ticket_transition(
        ticket=ticket, to=target, actor=agent, message=_message_for(target), now=LATER
    )

    assert moved.status == target
    assert Ticket.objects.get(pk=ticket.pk).status == target
    assert Ticket.objects.get(pk=ticket.pk).updated_at == LATER
    replies = 1 if _message_for(target) else 0  # the question, then the move
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before + replies + 1
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.kind, event.field, event.before, event.after) == (
        EventKind.STATUS,
        "status",
        current,
        target,
    )
    assert (event.actor, event.created_at, event.is_internal) == (agent, LATER, False)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_transition_raises_and_changes_nothing(agent, org_a, current, target):
    ticket = ticket_in(current, agent=agent, organization=org_a)
    before = Ticket.objects.values("status", "updated_at", "resolved_at", "closed_at").get(
        pk=ticket.pk
    )
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    with pytest.raises(DomainError) as refused:
        services.ticket_transition(ticket=ticket, to=target, actor=agent, now=LATER)

    assert refused.value.code == "illegal_transition"
    assert refused.value.field == "status"
    assert (
        Ticket.objects.values("status", "updated_at", "resolved_at", "closed_at").get(pk=ticket.pk)
        == before
    )
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


def test_refusal_explains_where_the_ticket_can_go(agent, org_a):
    ticket = ticket_in(Status.IN_PROGRESS, agent=agent, organization=org_a)
    with pytest.raises(DomainError) as refused:
        services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent, now=LATER)
    assert refused.value.message == (
        "Cannot move a ticket from “In progress” to “Closed”. From “In progress” it can move to: "
        "investigating, resolved, waiting on customer."
    )


def test_unknown_status_is_refused(agent, org_a):
    ticket = ticket_in(Status.NEW, agent=agent, organization=org_a)
    with pytest.raises(DomainError) as refused:
        services.ticket_transition(ticket=ticket, to="done", actor=agent, now=LATER)
    assert refused.value.code == "invalid_status"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


CUSTOMER_ALLOWED = sorted(lifecycle.CUSTOMER_TRANSITIONS)


@pytest.mark.parametrize(("current", "target"), CUSTOMER_ALLOWED)
def test_customer_may_confirm_or_reopen_a_resolution(agent, org_a, customer_a, current, target):
    ticket = ticket_in(current, agent=agent, organization=org_a, requester=customer_a)
    moved = services.ticket_transition(ticket=ticket, to=target, actor=customer_a, now=LATER)
    assert moved.status == target
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.kind, event.before, event.after, event.actor) == (
        EventKind.STATUS,
        current,
        target,
        customer_a,
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in ALL_PAIRS if pair not in lifecycle.CUSTOMER_TRANSITIONS],
)
def test_customer_cannot_make_any_other_move(agent, org_a, customer_a, current, target):
    ticket = ticket_in(current, agent=agent, organization=org_a, requester=customer_a)
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(DomainError) as refused:
        services.ticket_transition(ticket=ticket, to=target, actor=customer_a, now=LATER)
    assert refused.value.code == "transition_not_allowed"
    assert Ticket.objects.get(pk=ticket.pk).status == current
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


def test_resolving_sets_resolved_at(agent, org_a):
    ticket = ticket_in(Status.IN_PROGRESS, agent=agent, organization=org_a)
    services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=agent, now=LATER)
    ticket.refresh_from_db()
    assert (ticket.resolved_at, ticket.closed_at) == (LATER, None)


def test_closing_sets_closed_at_and_keeps_resolved_at(agent, org_a, customer_a):
    ticket = ticket_in(Status.RESOLVED, agent=agent, organization=org_a, requester=customer_a)
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=customer_a, now=LATER)
    ticket.refresh_from_db()
    assert (ticket.resolved_at, ticket.closed_at) == (T0, LATER)


def test_reopening_clears_resolved_at(agent, org_a, customer_a):
    ticket = ticket_in(Status.RESOLVED, agent=agent, organization=org_a, requester=customer_a)
    assert ticket.resolved_at == T0
    services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=customer_a, now=LATER)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at, ticket.closed_at) == (
        Status.INVESTIGATING,
        None,
        None,
    )


def test_resolving_again_after_a_reopen_records_the_new_time(agent, org_a):
    ticket = ticket_in(Status.RESOLVED, agent=agent, organization=org_a)
    services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent, now=LATER)
    again = LATER + timedelta(hours=2)
    services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=agent, now=again)
    ticket.refresh_from_db()
    assert ticket.resolved_at == again
    statuses = list(
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS)
        .order_by("id")
        .values_list("before", "after")
    )
    assert statuses == [
        ("new", "resolved"),
        ("resolved", "investigating"),
        ("investigating", "resolved"),
    ]
