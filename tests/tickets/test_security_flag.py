"""The security flag: any agent may raise it; one outside the security team keeps the ticket
(as its assignee) until the team takes it. Through the API, the services and the New ticket page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from helpdesk.models import ApiToken, Role
from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import services
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent
from tickets.security import SECURITY_FLAG_HELP

pytestmark = pytest.mark.django_db


@pytest.fixture
def security_team():
    return TeamFactory(name="Security", slug="security", is_security=True)


@pytest.fixture
def sec_member(security_team):
    member = make_agent(username="sec", first_name="Sasha", last_name="Sec")
    security_team.members.add(member)
    return member


def api(user) -> APIClient:
    client = APIClient()
    _, raw = ApiToken.issue(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_agent_outside_the_team_who_flags_by_patch_keeps_the_ticket(
    agent, org_a, security_team, sec_member
):
    colleague = make_agent(username="colleague")
    ticket = make_ticket(actor=agent, organization=org_a, assignee=colleague)

    response = api(agent).patch(f"/api/v1/tickets/{ticket.key}/", {"is_security": True}, "json")

    assert response.status_code == 200
    body = response.json()
    assert (body["is_security"], body["assignee"]["username"], body["team"]["slug"]) == (
        True,
        "agent",
        "security",
    )
    assert api(agent).get(f"/api/v1/tickets/{ticket.key}/").status_code == 200
    assert api(colleague).get(f"/api/v1/tickets/{ticket.key}/").status_code == 404
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "field"))
    assert {(EventKind.ASSIGNED, "assignee"), (EventKind.TEAM, "team")} <= kinds
    assert (EventKind.FIELD, "is_security") in kinds


def test_the_flagger_keeps_it_until_the_security_team_assigns_one_of_theirs(
    agent, org_a, security_team, sec_member
):
    ticket = make_ticket(actor=agent, organization=org_a)
    api(agent).patch(f"/api/v1/tickets/{ticket.key}/", {"is_security": True}, "json")

    taken = api(sec_member).patch(f"/api/v1/tickets/{ticket.key}/", {"assignee": "sec"}, "json")

    assert taken.status_code == 200
    response = api(agent).get(f"/api/v1/tickets/{ticket.key}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_agent_outside_the_team_who_opens_a_flagged_ticket_is_its_assignee(
    agent, org_a, security_team
):
    response = api(agent).post(
        "/api/v1/tickets/",
        {"organization": "acme", "title": "Token in a public repo", "is_security": True},
        "json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["assignee"]["username"], body["team"]["slug"]) == ("agent", "security")
    assert api(agent).get(response["Location"]).status_code == 200


def test_naming_an_assignee_while_flagging_hands_the_ticket_to_them(agent, org_a, security_team):
    on_call = make_agent(username="oncall")

    ticket = make_ticket(actor=agent, organization=org_a, is_security=True, assignee=on_call)

    assert ticket.assignee == on_call
    assert api(agent).get(f"/api/v1/tickets/{ticket.key}/").status_code == 404


def test_an_agent_of_the_security_team_flags_without_taking_the_ticket(
    agent, org_a, security_team, sec_member
):
    ticket = make_ticket(actor=agent, organization=org_a, assignee=agent)

    services.ticket_update(ticket=ticket, actor=sec_member, changes={"is_security": True})

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team) == (agent, security_team)


def test_an_assignee_with_clearance_is_kept_when_someone_else_flags(
    agent, org_a, security_team, sec_member
):
    ticket = make_ticket(actor=agent, organization=org_a, assignee=sec_member)

    services.ticket_update(ticket=ticket, actor=agent, changes={"is_security": True})

    ticket.refresh_from_db()
    assert ticket.assignee == sec_member


def test_the_schema_says_what_flagging_does():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    for name in ("TicketCreateRequest", "PatchedTicketUpdateRequest"):
        description = schema[name]["properties"]["is_security"]["description"]
        assert description == SECURITY_FLAG_HELP
        assert "assignee" in description


def test_new_ticket_page_explains_the_flag_and_lands_on_the_ticket(
    client, agent, org_a, security_team
):
    client.force_login(agent)

    form = client.get(reverse("ticket_new")).content.decode()
    response = client.post(
        reverse("ticket_new"),
        {
            "organization": "acme",
            "channel": "phone",
            "title": "Customer saw another tenant's invoices",
            "severity": "2",
            "issue_type": "bug",
            "category": "authentication",
            "environment": "production",
            "is_security": "on",
        },
        follow=True,
    )

    assert "you become the assignee and keep the ticket until the team takes it" in form
    ticket = Ticket.objects.get()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("ticket_detail", args=[ticket.key])
    page = response.content.decode()
    assert f"Created {ticket.key}. It went to the Security team" in page
    assert "you are its assignee and keep it until the team takes it" in page
    assert ticket.assignee == agent


def test_a_manager_without_clearance_is_treated_like_any_agent(org_a, security_team):
    manager = make_agent(username="boss", role=Role.MANAGER)

    ticket = make_ticket(actor=manager, organization=org_a, is_security=True)

    assert ticket.assignee == manager


def test_new_ticket_handed_to_a_named_colleague_lands_on_the_queue_saying_so(
    client, agent, org_a, security_team
):
    make_agent(username="oncall", first_name="Olu", last_name="Oncall")
    client.force_login(agent)

    response = client.post(
        reverse("ticket_new"),
        {
            "organization": "acme",
            "channel": "phone",
            "title": "Leaked token",
            "severity": "2",
            "issue_type": "bug",
            "category": "authentication",
            "environment": "production",
            "assignee": "oncall",
            "is_security": "on",
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("queue")
    assert (
        f"Created {ticket.key}. It went to the Security team and to Olu Oncall, its assignee; "
        "you no longer see it." in response.content.decode()
    )
