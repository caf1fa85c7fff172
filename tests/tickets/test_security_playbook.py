"""Security reports as the playbook wants them handled: listed by the Security view (the flag,
not a tag), and never asked for details by email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import replies

pytestmark = pytest.mark.django_db


@pytest.fixture
def security_agent(db):
    team = TeamFactory(name="Security", slug="security", is_security=True)
    return make_agent(teams=[team])


@pytest.fixture
def flagged(security_agent, org_a):
    return make_ticket(
        actor=security_agent, organization=org_a, title="Token leak", is_security=True
    )


def test_the_security_view_lists_flagged_tickets(client, security_agent, flagged, org_a):
    make_ticket(actor=security_agent, organization=org_a, title="Ordinary")
    client.force_login(security_agent)
    queue = client.get(reverse("queue"))
    security_view = dict(queue.context["builtin_views"])["Security"]
    response = client.get(reverse("queue") + "?" + security_view)
    titles = [row.title for row in response.context["page"].rows]
    assert titles == ["Token leak"]


def test_the_information_request_is_not_offered_on_security_tickets(flagged, org_a, agent):
    ordinary = make_ticket(actor=agent, organization=org_a)
    assert "information-request" in [t.slug for t in replies.offered_templates(ordinary)]
    offered = [t.slug for t in replies.offered_templates(flagged)]
    assert "information-request" not in offered
    assert "status-update" in offered
    assert replies.offered_template(flagged, "information-request") is None


def test_the_ticket_page_refuses_the_information_request_on_security_tickets(
    client, security_agent, flagged
):
    client.force_login(security_agent)
    page = client.get(reverse("ticket_detail", args=[flagged.key])).content.decode()
    assert "information-request" not in page
    filled = client.get(
        reverse("ticket_reply_template", args=[flagged.key]),
        {"template": "information-request"},
    ).content.decode()
    assert "X-Request-Id" not in filled
    again = client.get(
        reverse("ticket_detail", args=[flagged.key]), {"template": "information-request"}
    )
    assert "X-Request-Id" not in again.content.decode()


# -- severity criteria where severity is chosen ---------------------------------------------

CRITERIA_SNIPPETS = (
    "Financial transactions failing in production",
    "Performance degradation over 50% from baseline",
    "Multiple customers reporting the same issue within 1 hour",
    "Documentation improvement suggestion",
)


def test_the_new_ticket_page_shows_the_severity_criteria(client, agent):
    client.force_login(agent)
    html = client.get(reverse("ticket_new")).content.decode()
    for snippet in CRITERIA_SNIPPETS:
        assert snippet in html


def test_the_portal_new_ticket_shows_the_severity_criteria(client, customer_a):
    client.force_login(customer_a)
    html = client.get(reverse("portal_new")).content.decode()
    for snippet in CRITERIA_SNIPPETS:
        assert snippet in html


def test_the_properties_panel_shows_the_severity_criteria(client, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    client.force_login(agent)
    html = client.get(reverse("ticket_detail", args=[ticket.key])).content.decode()
    for snippet in CRITERIA_SNIPPETS:
        assert snippet in html
