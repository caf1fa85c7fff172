"""Who is told of what happens to a ticket: the bell and, per preference, email via the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from helpdesk import engine, notifications
from helpdesk.models import Notification, OutboundMessage, Role
from tests.factories import TeamFactory, make_agent, make_contact, make_ticket
from tickets import events, services
from tickets import notifications as ticket_notifications
from tickets.choices import Status
from tickets.models import Contact, Ticket
from tickets.selectors import tickets_visible_to, users_who_can_see

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def told(kind: str | None = None) -> list[tuple[str, str]]:
    """(username, kind) of every notification, in a stable order."""
    qs = Notification.objects.order_by("user__username", "kind")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.values_list("user__username", "kind"))


def emailed() -> list[str]:
    return sorted(
        OutboundMessage.objects.filter(channel="email").values_list("recipient", flat=True)
    )


@pytest.fixture
def triage_team():
    lead = make_agent(username="tess", email="tess@example.com")
    team = TeamFactory(name="Front line", slug="front-line", is_triage=True, lead=lead)
    make_agent(username="tom", email="tom@example.com", teams=[team])
    make_agent(username="tia", email="tia@example.com", teams=[team])
    return team


def test_a_portal_p1_nobody_owns_notifies_the_triage_team_and_its_lead(
    triage_team, org_a, customer_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(
            actor=customer_a,
            organization=org_a,
            requester=customer_a,
            channel="portal",
            severity=1,
            title="Payments API down",
        )
    assert told() == [("tess", "new_ticket"), ("tia", "new_ticket"), ("tom", "new_ticket")]
    note = Notification.objects.get(user__username="tom")
    assert note.title == f"New ticket {ticket.key}: Payments API down"
    assert note.url == ticket.get_absolute_url()
    assert note.ticket_id == ticket.pk
    assert emailed() == ["tess@example.com", "tia@example.com", "tom@example.com"]


def test_without_a_triage_team_the_managers_are_told(
    manager, org_a, customer_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(actor=customer_a, organization=org_a, requester=customer_a, severity=1)
    assert told() == [("manager", "new_ticket")]


def test_a_new_ticket_of_a_team_goes_to_that_team_not_triage(
    triage_team, agent, org_a, django_capture_on_commit_callbacks
):
    team = TeamFactory()
    member = make_agent(username="mia", teams=[team])
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(actor=agent, organization=org_a, team=team)
    assert told() == [(member.username, "new_ticket")]


def test_sla_warning_and_breach_of_an_unowned_ticket_reach_the_triage_team(
    triage_team, org_a, customer_a
):
    with time_machine.travel(T0, tick=False):
        make_ticket(actor=customer_a, organization=org_a, requester=customer_a, severity=1)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        engine.tick()
    assert told("sla") == [("tess", "sla"), ("tia", "sla"), ("tom", "sla")]
    with time_machine.travel(T0 + timedelta(minutes=15), tick=False):
        engine.tick()
    breached = Notification.objects.filter(title__startswith="SLA breached")
    assert sorted(breached.values_list("user__username", flat=True)) == ["tess", "tia", "tom"]


def test_an_assignment_notifies_the_new_assignee_once(
    agent, org_a, django_capture_on_commit_callbacks
):
    ana = make_agent(username="ana", email="ana@example.com")
    ticket = make_ticket(actor=agent, organization=org_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.ticket_assign(ticket=ticket, assignee=ana, actor=agent)
    for callback in callbacks:  # the same decision handled twice tells once
        callback()
    assert told() == [("ana", "assigned")]
    assert Notification.objects.get().title == f"{ticket.key} is assigned to you"
    assert emailed() == ["ana@example.com"]

    # Unassigned and assigned again: a new occurrence, told again.
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=None, actor=agent)
        services.ticket_assign(ticket=ticket, assignee=ana, actor=agent)
    assert told() == [("ana", "assigned"), ("ana", "assigned")]


def test_taking_a_ticket_yourself_tells_nobody(agent, org_a, django_capture_on_commit_callbacks):
    ticket = make_ticket(actor=agent, organization=org_a, team=TeamFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        make_ticket(actor=agent, organization=org_a, assignee=agent)
    assert told() == []
    assert OutboundMessage.objects.count() == 0


def test_a_customer_reply_notifies_the_assignee_once(
    agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    ana = make_agent(username="ana")
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, assignee=ana)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.comment_add(ticket=ticket, author=customer_a, body="Still failing for us.")
    for callback in callbacks:
        callback()
    assert told() == [("ana", "customer_reply")]
    note = Notification.objects.get()
    assert note.title == f"{customer_a.display_name} replied on {ticket.key}"
    assert note.body == "Still failing for us."


def test_a_customer_reply_on_an_unassigned_ticket_reaches_its_team_else_triage(
    triage_team, agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    team = TeamFactory()
    make_agent(username="mia", teams=[team])
    of_team = make_ticket(actor=agent, organization=org_a, requester=customer_a, team=team)
    nobodys = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=of_team, author=customer_a, body="Any news?")
    assert told() == [("mia", "customer_reply")]
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=nobodys, author=customer_a, body="Hello?")
    assert told("customer_reply") == [
        ("mia", "customer_reply"),
        ("tess", "customer_reply"),
        ("tia", "customer_reply"),
        ("tom", "customer_reply"),
    ]


def test_a_customer_reply_on_a_team_with_nobody_active_reaches_its_lead_else_triage(
    triage_team, agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    lead = make_agent(username="lena")
    led = TeamFactory(lead=lead)
    make_agent(username="gone", teams=[led], is_active=False)
    empty = TeamFactory()
    for team in (led, empty):
        ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, team=team)
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_add(ticket=ticket, author=customer_a, body="Anyone there?")
    assert told() == [
        ("lena", "customer_reply"),
        ("tess", "customer_reply"),
        ("tia", "customer_reply"),
        ("tom", "customer_reply"),
    ]


def test_a_mention_in_an_internal_note_notifies_the_colleague_once(
    agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    make_agent(username="bob.smith", email="bob@example.com")
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, assignee=agent)
    body = "@bob.smith can you check the SSO logs? Cc @agent, @cust_a and ops@example.com."
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.comment_add(ticket=ticket, author=agent, body=body, is_internal=True)
    for callback in callbacks:
        callback()
    # Not the author (@agent), never a customer (@cust_a), not an email address.
    assert told() == [("bob.smith", "mention")]
    assert Notification.objects.get().title == (
        f"{agent.display_name} mentioned you in a note on {ticket.key}"
    )
    assert emailed() == ["bob@example.com"]


def test_a_customer_never_hears_of_an_internal_note(
    agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            ticket=ticket, author=agent, body="@cust_a is on the free plan", is_internal=True
        )
    assert Notification.objects.filter(user=customer_a).count() == 0
    assert OutboundMessage.objects.filter(recipient=customer_a.email).count() == 0


def test_a_mention_on_a_security_ticket_skips_colleagues_without_clearance(
    agent, org_a, django_capture_on_commit_callbacks
):
    security = TeamFactory(is_security=True)
    cleared = make_agent(username="sec", teams=[security])
    make_agent(username="plain")
    ticket = make_ticket(actor=cleared, organization=org_a, is_security=True, assignee=cleared)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            ticket=ticket, author=cleared, body="@plain @admin1 have a look", is_internal=True
        )
    assert told("mention") == []
    admin = make_agent(username="admin1", role=Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=cleared, body="@plain @admin1", is_internal=True)
    assert told("mention") == [(admin.username, "mention")]


def test_the_customer_is_told_of_status_changes_and_replies_not_of_their_own(
    agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
        services.comment_add(ticket=ticket, author=agent, body="We are on it.")
        services.ticket_transition(
            ticket=ticket,
            to=Status.WAITING_ON_CUSTOMER,
            actor=agent,
            message="Which region are you in?",
        )
    titles = list(
        Notification.objects.filter(user=customer_a)
        .order_by("pk")
        .values_list("title", "body", "url")
    )
    portal_url = f"/portal/tickets/{ticket.key}/"
    assert titles == [
        (
            f"{ticket.key} is now investigating",
            f"Support is investigating: {ticket.title}",
            portal_url,
        ),
        (f"Support replied on {ticket.key}", "We are on it.", portal_url),
        # The move and its question are one notice.
        (f"{ticket.key} is now waiting on you", "Which region are you in?", portal_url),
    ]
    # The customer's own answer hands the ticket back: the assignee hears of the reply only.
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=customer_a, body="eu-west-1")
    assert told() == [("agent", "customer_reply")]


def test_email_follows_the_users_preference_the_bell_always_rings(
    agent, org_a, django_capture_on_commit_callbacks
):
    ana = make_agent(username="ana", email="ana@example.com")
    assert notifications.email_preferences(ana)["assigned"] is True  # email by default
    notifications.email_preferences_set(user=ana, email_kinds={"mention", "sla"})
    ticket = make_ticket(actor=agent, organization=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=ana, actor=agent)
    assert told() == [("ana", "assigned")]
    assert emailed() == []

    notifications.email_preferences_set(user=ana, email_kinds={"assigned"})
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=agent, body="@ana see above", is_internal=True)
        services.ticket_assign(ticket=ticket, assignee=None, actor=agent)
        services.ticket_assign(ticket=ticket, assignee=ana, actor=agent)
    assert told() == [("ana", "assigned"), ("ana", "assigned"), ("ana", "mention")]
    assert emailed() == ["ana@example.com"]  # the second assignment; the mention stays in-app


def test_a_preference_for_a_kind_the_user_cannot_receive_is_refused(customer_a):
    from helpdesk.errors import DomainError

    with pytest.raises(DomainError, match="mention"):
        notifications.email_preferences_set(user=customer_a, email_kinds={"mention"})
    assert set(notifications.email_preferences(customer_a)) == {"status", "agent_reply"}


def test_the_bell_keeps_only_notices_of_tickets_the_user_may_still_see(
    agent, org_a, org_b, customer_a, django_capture_on_commit_callbacks
):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
    assert notifications.visible_to(customer_a).count() == 1
    Contact.objects.filter(user=customer_a).update(organization=org_b)
    moved = type(customer_a).objects.get(pk=customer_a.pk)
    assert notifications.visible_to(moved).count() == 0


def test_the_bell_probes_each_notices_ticket_rather_than_reading_every_visible_ticket(agent):
    # Under an OR, `IN (subquery)` is planned as a hashed subplan over all visible tickets.
    sql = str(notifications.visible_to(agent).filter(read_at__isnull=True).query)
    assert "EXISTS" in sql
    assert "IN (SELECT" not in sql


def test_handled_twice_by_the_receivers_each_notice_is_written_once(
    agent, org_a, customer_a, django_capture_on_commit_callbacks
):
    ana = make_agent(username="ana")
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, assignee=ana)
    for _ in range(2):
        events.ticket_created.send(sender="tickets", ticket_id=ticket.pk, actor_id=agent.pk)
    assert told() == [("ana", "assigned")]


@pytest.mark.parametrize("is_security", [False, True])
def test_who_may_see_a_ticket_agrees_with_the_access_policy(
    is_security, org_a, org_b, customer_a, customer_b
):
    security = TeamFactory(is_security=True)
    cleared = make_agent(teams=[security])
    plain = make_agent()
    assignee = make_agent()
    admin = make_agent(role=Role.ADMIN)
    colleague = make_contact(org_a)
    ticket = make_ticket(
        actor=assignee,
        organization=org_a,
        requester=customer_a,
        assignee=assignee,
        is_security=is_security,
    )
    people = [cleared, plain, assignee, admin, colleague, customer_a, customer_b]
    by_policy = {u.username for u in people if tickets_visible_to(u).filter(pk=ticket.pk).exists()}
    by_reverse = set(
        users_who_can_see(
            ticket, ticket_notifications.User.objects.filter(pk__in=[u.pk for u in people])
        ).values_list("username", flat=True)
    )
    assert by_reverse == by_policy
    assert isinstance(Ticket.objects.get(pk=ticket.pk), Ticket)
