"""The timeline is append-only (in the model and in the database), and the ticket signals are
sent only after the transaction that made the change commits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from helpdesk.errors import DomainError
from tests.factories import make_ticket
from tickets import events, services
from tickets.choices import EventKind, Status
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def ticket(agent, org_a, customer_a):
    return make_ticket(
        actor=agent, organization=org_a, requester=customer_a, title="Login fails", now=T0
    )


@pytest.fixture
def created_event(ticket):
    return TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED)


def test_saving_an_existing_event_raises(created_event):
    created_event.after = "SUP-1"
    with pytest.raises(ValueError, match="append-only"):
        created_event.save()
    assert TicketEvent.objects.get(pk=created_event.pk).after == created_event.ticket.key


def test_a_queryset_update_is_refused_by_the_database(created_event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        TicketEvent.objects.filter(pk=created_event.pk).update(after="SUP-1")
    assert TicketEvent.objects.get(pk=created_event.pk).after == created_event.ticket.key


def test_a_raw_sql_update_is_refused_by_the_database(created_event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE tickets_ticketevent SET kind = 'note', is_internal = true WHERE id = %s",
            [created_event.pk],
        )
    row = TicketEvent.objects.values("kind", "is_internal").get(pk=created_event.pk)
    assert row == {"kind": EventKind.CREATED, "is_internal": False}


def crash_after(change) -> None:
    """Run a service call in a transaction that then fails before it commits."""
    with transaction.atomic():
        change()
        raise RuntimeError("crash before commit")


def test_events_are_written_in_the_same_transaction_as_the_change(ticket, agent):
    with pytest.raises(RuntimeError):
        crash_after(
            lambda: services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
        )
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS).count() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


# ------------------------------------------------------------------------------ signals


@pytest.fixture
def received():
    """Every ticket signal, as (signal name, kwargs without the signal object)."""
    log: list[tuple[str, dict]] = []
    names = {
        events.ticket_created: "ticket_created",
        events.ticket_changed: "ticket_changed",
        events.ticket_status_changed: "ticket_status_changed",
        events.comment_added: "comment_added",
    }

    def receiver(sender, signal, **kwargs):
        log.append((names[signal], kwargs))

    for signal in names:
        signal.connect(receiver, weak=False)
    yield log
    for signal in names:
        signal.disconnect(receiver)


def test_created_is_sent_after_commit(received, agent, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket = make_ticket(actor=agent, organization=org_a)
        assert received == []
    assert len(callbacks) == 1
    assert received == [("ticket_created", {"ticket_id": ticket.pk, "actor_id": agent.pk})]


def test_status_change_is_sent_after_commit(
    received, ticket, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
        assert received == []
    assert received == [
        (
            "ticket_status_changed",
            {
                "ticket_id": ticket.pk,
                "actor_id": agent.pk,
                "before": "new",
                "after": "investigating",
            },
        )
    ]


def test_field_changes_are_sent_after_commit(
    received, ticket, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(
            ticket=ticket, actor=agent, changes={"severity": 1, "title": "Login fails"}
        )
        assert received == []
    assert received == [
        (
            "ticket_changed",
            {
                "ticket_id": ticket.pk,
                "actor_id": agent.pk,
                "changes": {"severity": (3, 1)},
            },
        )
    ]


def test_a_customer_answer_sends_the_comment_then_the_status_change(
    received, ticket, agent, customer_a, django_capture_on_commit_callbacks
):
    services.ticket_transition(
        ticket=ticket, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Request id?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(ticket=ticket, author=customer_a, body="Here it is")
        assert received == []
    assert received == [
        (
            "comment_added",
            {
                "ticket_id": ticket.pk,
                "comment_id": comment.pk,
                "actor_id": customer_a.pk,
                "is_internal": False,
            },
        ),
        (
            "ticket_status_changed",
            {
                "ticket_id": ticket.pk,
                "actor_id": customer_a.pk,
                "before": "waiting_on_customer",
                "after": "in_progress",
            },
        ),
    ]


def test_a_refused_change_sends_nothing(
    received, ticket, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(DomainError):
            services.ticket_transition(ticket=ticket, to=Status.NEW, actor=agent)
        services.ticket_update(ticket=ticket, actor=agent, changes={"title": "Login fails"})
    assert callbacks == []
    assert received == []


def test_a_rolled_back_change_sends_nothing(
    received, ticket, agent, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        crash_after(lambda: services.comment_add(ticket=ticket, author=agent, body="Draft"))
    assert callbacks == []
    assert received == []
