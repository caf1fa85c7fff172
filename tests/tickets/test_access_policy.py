"""The one access policy (tickets.selectors) for every role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from helpdesk.models import Role
from tests.factories import TeamFactory, UserFactory, make_agent, make_contact, make_ticket
from tickets import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agent, org_a, org_b, customer_a, customer_b):
    """Tickets of two organizations, with security reports in A: one by customer_a, one by a
    colleague of theirs, and one assigned to `agent`."""
    colleague = make_contact(org_a, username="colleague")
    on_call = make_agent(username="oncall")
    tickets = {
        "a": make_ticket(actor=agent, organization=org_a, requester=customer_a, title="A"),
        "a_other": make_ticket(actor=agent, organization=org_a, requester=colleague, title="A2"),
        "b": make_ticket(actor=agent, organization=org_b, requester=customer_b, title="B"),
        # Security reports filed by the customers themselves: an agent outside the security
        # team who flags a ticket would become its assignee (tickets/security.py).
        "sec_a_mine": make_ticket(
            actor=customer_a,
            organization=org_a,
            requester=customer_a,
            title="Leaked key",
            is_security=True,
        ),
        "sec_a_colleague": make_ticket(
            actor=colleague,
            organization=org_a,
            requester=colleague,
            title="Unauthorized access",
            is_security=True,
            assignee=on_call,
        ),
        "sec_b_agent": make_ticket(
            actor=customer_b,
            organization=org_b,
            requester=customer_b,
            title="Token bypass",
            is_security=True,
            assignee=agent,
        ),
    }
    return tickets


def visible(user, world) -> set[str]:
    keys = {t.pk: name for name, t in world.items()}
    return {keys[pk] for pk in selectors.tickets_visible_to(user).values_list("pk", flat=True)}


def test_customer_sees_their_organization_and_their_own_security_reports(world, customer_a):
    assert visible(customer_a, world) == {"a", "a_other", "sec_a_mine"}


def test_customer_of_another_organization_sees_only_theirs(world, customer_b):
    assert visible(customer_b, world) == {"b", "sec_b_agent"}


def test_customer_without_a_contact_sees_nothing(world):
    orphan = UserFactory(role=Role.CUSTOMER)
    assert visible(orphan, world) == set()


def test_agent_without_clearance_sees_security_tickets_only_when_assigned(world, agent):
    assert visible(agent, world) == {"a", "a_other", "b", "sec_b_agent"}


def test_manager_without_clearance_does_not_see_security_tickets(world, manager):
    assert visible(manager, world) == {"a", "a_other", "b"}


@pytest.mark.parametrize("role", [Role.AGENT, Role.ENGINEER, Role.MANAGER])
def test_a_member_of_a_security_team_sees_every_security_ticket(world, role):
    member = make_agent(username="sec", role=role)
    TeamFactory(name="Security", slug="security", is_security=True).members.add(member)
    assert visible(member, world) == set(world)


def test_a_member_of_an_ordinary_team_gets_no_clearance(world):
    member = make_agent(username="tier2")
    TeamFactory(name="Tier 2", slug="tier-2").members.add(member)
    assert visible(member, world) == {"a", "a_other", "b"}


def test_admin_sees_everything(world):
    assert visible(make_agent(username="root", role=Role.ADMIN), world) == set(world)


def test_inactive_and_anonymous_users_see_nothing(world, agent):
    assert visible(AnonymousUser(), world) == set()
    agent.is_active = False
    agent.save()
    assert visible(agent, world) == set()


def test_ticket_get_for_user_is_404_out_of_scope(world, customer_a, agent):
    assert selectors.ticket_get_for_user(customer_a, world["a"].key) == world["a"]
    for user, name in [
        (customer_a, "b"),
        (customer_a, "sec_a_colleague"),
        (agent, "sec_a_colleague"),
    ]:
        with pytest.raises(Http404):
            selectors.ticket_get_for_user(user, world[name].key)
    for key in ["", "SUP-", "SUP-abc", "999999", "SUP-999999"]:
        with pytest.raises(Http404):
            selectors.ticket_get_for_user(agent, key)


def test_customers_never_see_internal_notes_events_or_attachments(world, agent, customer_a):
    ticket = world["a"]
    services.comment_add(ticket=ticket, author=agent, body="Public answer")
    services.comment_add(
        ticket=ticket,
        author=agent,
        body="Internal finding",
        is_internal=True,
        files=[SimpleUploadedFile("trace.txt", b"stack")],
    )
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent)

    assert [c.body for c in selectors.comments_visible_to(customer_a, ticket)] == ["Public answer"]
    assert [c.body for c in selectors.comments_visible_to(agent, ticket)] == [
        "Public answer",
        "Internal finding",
    ]
    assert [e.kind for e in selectors.events_visible_to(customer_a, ticket)] == ["created", "reply"]
    assert [e.kind for e in selectors.events_visible_to(agent, ticket)] == [
        "created",
        "reply",
        "note",
        "attachment",
        "assigned",
    ]
    assert list(selectors.attachments_visible_to(customer_a, ticket)) == []
    attachment = selectors.attachments_visible_to(agent, ticket).get()
    assert selectors.attachment_get_for_user(agent, attachment.pk) == attachment
    with pytest.raises(Http404):
        selectors.attachment_get_for_user(customer_a, attachment.pk)


def test_organizations_and_contacts_follow_the_same_scope(world, org_a, org_b, customer_a, agent):
    assert list(selectors.organizations_visible_to(customer_a)) == [org_a]
    assert set(selectors.organizations_visible_to(agent)) == {org_a, org_b}
    assert {c.user.username for c in selectors.contacts_visible_to(customer_a)} == {
        "cust_a",
        "colleague",
    }
