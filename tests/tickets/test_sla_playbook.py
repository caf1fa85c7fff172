"""SLA clocks that keep the playbook's promises (DESIGN.md section 5): the first response never
pauses, a late fulfilment is a breach, P1 and P2 run around the clock, and credit review follows
the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from helpdesk.errors import DomainError
from tests.factories import OrganizationFactory, make_ticket
from tickets import services
from tickets.choices import Status
from tickets.models import Comment, SlaEvent, SlaKind, SlaPolicy, SlaTarget, Ticket

pytestmark = pytest.mark.django_db

# Monday 2026-11-23 10:00 UTC
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def target(ticket, kind) -> SlaTarget:
    return SlaTarget.objects.get(ticket=ticket, kind=kind)


def breaches(ticket) -> list[tuple[str, datetime]]:
    rows = SlaEvent.objects.filter(ticket=ticket, kind="breached").order_by("at", "target_kind")
    return [(e.target_kind, e.at) for e in rows]


@pytest.fixture
def p1(agent, org_a):
    with time_machine.travel(T0, tick=False):
        return make_ticket(actor=agent, organization=org_a, severity=1, assignee=agent)


# -- the first response never pauses ---------------------------------------------------------


def test_waiting_on_customer_without_a_public_message_is_refused(p1, agent):
    with (
        time_machine.travel(T0 + 5 * M, tick=False),
        pytest.raises(DomainError) as refused,
    ):
        services.ticket_transition(ticket=p1, to=Status.WAITING_ON_CUSTOMER, actor=agent)
    assert refused.value.code == "message_required"
    assert "public reply" in refused.value.message
    p1.refresh_from_db()
    assert p1.status == Status.NEW
    assert target(p1, SlaKind.FIRST_RESPONSE).paused_since is None


def test_waiting_with_a_public_message_answers_first_and_pauses_the_rest(p1, agent):
    with time_machine.travel(T0 + 5 * M, tick=False):
        services.ticket_transition(
            ticket=p1,
            to=Status.WAITING_ON_CUSTOMER,
            actor=agent,
            message="Which request id did you get?",
        )
    p1.refresh_from_db()
    assert p1.status == Status.WAITING_ON_CUSTOMER
    assert p1.first_response_at == T0 + 5 * M
    assert Comment.objects.get(ticket=p1).is_internal is False
    assert target(p1, SlaKind.FIRST_RESPONSE).fulfilled_at == T0 + 5 * M
    assert target(p1, SlaKind.RESOLUTION).paused_since == T0 + 5 * M


def test_resolving_without_an_answer_leaves_the_first_response_running(p1, agent):
    with time_machine.travel(T0 + 5 * M, tick=False):
        services.ticket_transition(ticket=p1, to=Status.RESOLVED, actor=agent)
    first = target(p1, SlaKind.FIRST_RESPONSE)
    assert first.paused_since is None
    assert first.next_check_at is not None


def test_api_transition_to_waiting_needs_a_message(p1, agent):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(agent)
    url = f"/api/v1/tickets/{p1.key}/transition/"
    refused = client.post(url, {"status": "waiting_on_customer"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "message_required"
    accepted = client.post(
        url, {"status": "waiting_on_customer", "message": "Which region?"}, format="json"
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "waiting_on_customer"
    assert Comment.objects.filter(ticket=p1, is_internal=False, body="Which region?").exists()


def test_composer_internal_note_and_set_waiting_is_refused(p1, agent, client):
    client.force_login(agent)
    response = client.post(
        f"/tickets/{p1.key}/reply/",
        {"body": "note to self", "is_internal": "on", "status": "waiting_on_customer"},
    )
    assert response.status_code in (200, 302)
    p1.refresh_from_db()
    assert p1.status == Status.NEW
    assert not Comment.objects.filter(ticket=p1).exists()  # the note is not half-saved


def test_composer_public_reply_and_set_waiting(p1, agent, client):
    client.force_login(agent)
    client.post(
        f"/tickets/{p1.key}/reply/", {"body": "Which region?", "status": "waiting_on_customer"}
    )
    p1.refresh_from_db()
    assert p1.status == Status.WAITING_ON_CUSTOMER
    assert p1.first_response_at is not None


# -- a late fulfilment records the breach ---------------------------------------------------


def test_a_reply_after_the_due_time_records_the_breach_without_a_tick(p1, agent):
    with time_machine.travel(T0 + 40 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="Sorry for the wait")
    first = target(p1, SlaKind.FIRST_RESPONSE)
    assert (first.fulfilled_at, first.breached_at) == (T0 + 40 * M, T0 + 40 * M)
    assert breaches(p1) == [(SlaKind.FIRST_RESPONSE, T0 + 40 * M)]
    event = SlaEvent.objects.get(ticket=p1, kind="breached")
    assert event.data["late_seconds"] == 25 * 60
    p1.refresh_from_db()
    assert p1.sla_breached_at == T0 + 40 * M
    assert p1.sla_credit_review is True


def test_a_reply_in_time_records_no_breach(p1, agent):
    with time_machine.travel(T0 + 14 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="On it")
    assert breaches(p1) == []
    p1.refresh_from_db()
    assert p1.sla_breached_at is None


def test_a_late_resolution_records_the_breach_without_a_tick(p1, agent):
    with time_machine.travel(T0 + 10 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="On it")
    with time_machine.travel(T0 + 5 * H, tick=False):
        services.ticket_transition(ticket=p1, to=Status.RESOLVED, actor=agent)
    assert (SlaKind.RESOLUTION, T0 + 5 * H) in breaches(p1)
    assert target(p1, SlaKind.RESOLUTION).breached_at == T0 + 5 * H


def test_a_late_customer_update_records_the_breach_of_its_period(p1, agent):
    with time_machine.travel(T0 + 10 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="On it")
    with time_machine.travel(T0 + 2 * H, tick=False):  # update was due at T0 + 40 min
        services.comment_add(ticket=p1, author=agent, body="Still on it")
    event = SlaEvent.objects.get(ticket=p1, kind="breached", target_kind=SlaKind.UPDATE)
    assert (event.cycle, event.at) == (1, T0 + 2 * H)
    assert target(p1, SlaKind.UPDATE).breached_at is None  # the next period starts clean


def test_the_engine_does_not_breach_twice_after_a_late_fulfilment(p1, agent):
    from helpdesk import engine

    with time_machine.travel(T0 + 40 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="Sorry for the wait")
    with time_machine.travel(T0 + 41 * M, tick=False):
        engine.tick()
    assert breaches(p1) == [(SlaKind.FIRST_RESPONSE, T0 + 40 * M)]


# -- P1 and P2 around the clock --------------------------------------------------------------


def test_a_saturday_p2_is_due_on_saturday(agent, org_a):
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with time_machine.travel(saturday, tick=False):
        ticket = make_ticket(actor=agent, organization=org_a, severity=2)
    assert target(ticket, SlaKind.FIRST_RESPONSE).due_at == saturday + 1 * H
    assert target(ticket, SlaKind.RESOLUTION).due_at == saturday + 8 * H


def test_default_policies_put_p1_and_p2_on_24_7():
    calendars = dict(
        SlaPolicy.objects.filter(
            name__in=["P1 Critical", "P2 High", "P3 Medium", "P4 Low"]
        ).values_list("name", "calendar__name")
    )
    assert calendars == {
        "P1 Critical": "24/7",
        "P2 High": "24/7",
        "P3 Medium": "Weekdays 24x5",
        "P4 Low": "Weekdays 24x5",
    }


# -- credit review follows the policy --------------------------------------------------------


def _breach(ticket, agent, kind):
    """Fulfil `kind` late (no tick needed)."""
    if kind == SlaKind.FIRST_RESPONSE:
        with time_machine.travel(T0 + 40 * M, tick=False):
            services.comment_add(ticket=ticket, author=agent, body="Sorry")
    else:
        with time_machine.travel(T0 + 1 * M, tick=False):
            services.comment_add(ticket=ticket, author=agent, body="On it")
        with time_machine.travel(T0 + 2 * H, tick=False):
            services.comment_add(ticket=ticket, author=agent, body="Update")


def test_a_late_customer_update_is_not_credit_review_by_default(p1, agent):
    _breach(p1, agent, SlaKind.UPDATE)
    p1.refresh_from_db()
    assert p1.sla_breached_at == T0 + 2 * H
    assert p1.sla_credit_review is False


def test_a_business_tier_p1_first_response_breach_is_credit_review(agent):
    org = OrganizationFactory(tier="business")
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org, severity=1)
    _breach(ticket, agent, SlaKind.FIRST_RESPONSE)
    assert Ticket.objects.get(pk=ticket.pk).sla_credit_review is True


def test_a_free_tier_breach_is_not_credit_review(agent, org_b):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org_b, severity=1)
    _breach(ticket, agent, SlaKind.FIRST_RESPONSE)
    ticket.refresh_from_db()
    assert (ticket.sla_breached_at, ticket.sla_credit_review) == (T0 + 40 * M, False)


def test_credit_review_targets_and_tiers_are_a_policy_setting(agent, org_b):
    SlaPolicy.objects.filter(name="P1 Critical").update(
        credit_targets=[SlaKind.UPDATE], credit_tiers=["free"]
    )
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org_b, severity=1)
    _breach(ticket, agent, SlaKind.UPDATE)
    assert Ticket.objects.get(pk=ticket.pk).sla_credit_review is True


def test_the_engine_follows_the_policy_for_credit_review(agent):
    from helpdesk import engine

    org = OrganizationFactory(tier="business")
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org, severity=1)
    with time_machine.travel(T0 + 16 * M, tick=False):
        engine.tick()
    ticket.refresh_from_db()
    assert (ticket.sla_breached_at, ticket.sla_credit_review) == (T0 + 16 * M, True)
