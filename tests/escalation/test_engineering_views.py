"""Escalation pages and API as people use them; customers get 404 everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from escalation.engineering import services
from escalation.engineering.prefill import bug_report_from
from escalation.models import EngineeringEscalation, Schedule, TierEscalation
from helpdesk import clock
from helpdesk.models import Role
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer():
    return make_agent(username="eng", role=Role.ENGINEER, tier=3, first_name="Eve", last_name="Ng")


@pytest.fixture
def ticket(agent, org_a, customer_a):
    return make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        severity=1,
        title="All API calls return 500",
        product_version="2.14.1",
        affected_endpoint="/api/orders",
    )


@pytest.fixture
def escalation(ticket, agent):
    return services.engineering_escalate(
        ticket=ticket, actor=agent, report=bug_report_from(ticket), now=clock.now()
    )


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_customers_get_404_on_every_new_url(client, customer_a, ticket, escalation):
    client.force_login(customer_a)
    urls = [
        reverse("engineering_list"),
        reverse("engineering_detail", args=[escalation.pk]),
        reverse("engineering_export", args=[escalation.pk]),
        reverse("engineering_new", args=[ticket.key]),
        reverse("tier_escalate", args=[ticket.key]),
        reverse("engineering_ticket_panel", args=[ticket.key]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("engineering_accept", args=[escalation.pk]),
        reverse("engineering_reject", args=[escalation.pk]),
        reverse("engineering_new", args=[ticket.key]),
        reverse("tier_escalate", args=[ticket.key]),
    ):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    api = _api(customer_a)
    for url in (
        reverse("api-escalation-list"),
        reverse("api-escalation-detail", args=[escalation.pk]),
        reverse("api-schedule-list"),
    ):
        answer = api.get(url)
        assert answer.status_code == 404, url
        assert answer.json()["error"]["code"] == "not_found"
    for url in (
        reverse("api-escalation-accept", args=[escalation.pk]),
        reverse("api-escalation-reject", args=[escalation.pk]),
        reverse("api-ticket-escalate", args=[ticket.key]),
    ):
        assert api.post(url, {"reason": "x"}, format="json").status_code == 404, url
    escalation.refresh_from_db()
    assert escalation.state == "pending"


def test_an_agent_who_may_not_see_the_ticket_gets_404(client, agent, org_a):
    outsider = make_agent(username="outsider")
    security = make_ticket(
        actor=agent, organization=org_a, title="Leak", is_security=True, severity=2
    )
    hidden = services.engineering_escalate(
        ticket=security, actor=agent, report=bug_report_from(security), now=clock.now()
    )
    client.force_login(outsider)
    assert client.get(reverse("engineering_new", args=[security.key])).status_code == 404
    assert client.get(reverse("engineering_detail", args=[hidden.pk])).status_code == 404
    assert "Leak" not in client.get(reverse("engineering_list")).content.decode()
    api = _api(outsider)
    assert api.get(reverse("api-escalation-list")).json()["results"] == []
    assert api.get(reverse("api-escalation-detail", args=[hidden.pk])).status_code == 404
    posted = api.post(reverse("api-ticket-escalate", args=[security.key]), {}, format="json")
    assert posted.status_code == 404


def test_the_form_is_prefilled_and_a_p1_sends_with_only_what_it_has(client, agent, ticket):
    client.force_login(agent)
    page = client.get(reverse("engineering_new", args=[ticket.key])).content.decode()
    assert 'value="All API calls return 500"' in page
    assert 'value="2.14.1"' in page
    assert "P1 and P2 do not wait for more information" in page
    sent = client.post(
        reverse("engineering_new", args=[ticket.key]),
        {
            "title": "All API calls return 500",
            "severity": "critical",
            "affected_customers": "Acme Corp",
            "business_impact": "revenue_blocking",
        },
    )
    escalation = EngineeringEscalation.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("engineering_detail", args=[escalation.pk])


def test_a_p3_form_without_steps_says_what_is_missing_and_sends_nothing(client, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, severity=3, title="Docs typo")
    client.force_login(agent)
    form = {**bug_report_from(ticket), "workaround_description": ""}
    form = {k: v for k, v in form.items() if v not in (None, False)}
    answer = client.post(reverse("engineering_new", args=[ticket.key]), form)
    assert answer.status_code == 200
    assert "The bug report needs its reproduction steps" in answer.content.decode()
    assert not EngineeringEscalation.objects.exists()


def test_engineering_accepts_on_the_review_page(client, engineer, escalation):
    client.force_login(engineer)
    listed = client.get(reverse("engineering_list")).content.decode()
    assert "All API calls return 500" in listed
    detail = client.get(reverse("engineering_detail", args=[escalation.pk])).content.decode()
    assert "Accept with this date" in detail
    day = (clock.now() + timedelta(days=5)).date()
    done = client.post(
        reverse("engineering_accept", args=[escalation.pk]), {"committed_date": day.isoformat()}
    )
    assert done.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.state, escalation.committed_date, escalation.decided_by) == (
        "accepted",
        day,
        engineer,
    )


def test_rejecting_without_a_reason_is_refused_on_the_page(client, engineer, escalation):
    client.force_login(engineer)
    answer = client.post(reverse("engineering_reject", args=[escalation.pk]), {"reason": " "})
    assert answer.status_code == 200
    assert "Say why the escalation is rejected." in answer.content.decode()
    escalation.refresh_from_db()
    assert escalation.state == "pending"


def test_the_markdown_download(client, agent, escalation):
    client.force_login(agent)
    answer = client.get(reverse("engineering_export", args=[escalation.pk]))
    assert answer["Content-Type"] == "text/markdown; charset=utf-8"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in answer["Content-Disposition"]
    assert answer.content.decode().startswith("# All API calls return 500")


def test_the_ticket_panel_offers_both_escalations(client, agent, ticket):
    client.force_login(agent)
    panel = client.get(reverse("engineering_ticket_panel", args=[ticket.key])).content.decode()
    assert "Escalate to engineering" in panel
    assert "Escalate tier" in panel
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert reverse("engineering_ticket_panel", args=[ticket.key]) in page


def test_tier_escalation_from_its_form(client, agent, ticket):
    tier2 = make_agent(username="t2", tier=2)
    client.force_login(agent)
    answer = client.post(
        reverse("tier_escalate", args=[ticket.key]),
        {"to_tier": 2, "assignee": tier2.pk, "reason": "Needs the logs"},
    )
    assert answer.status_code == 302
    assert TierEscalation.objects.get().reason == "Needs the logs"
    ticket.refresh_from_db()
    assert ticket.assignee == tier2


def test_api_create_accept_reject_shapes(agent, engineer, ticket, org_a):
    created = _api(agent).post(
        reverse("api-ticket-escalate", args=[ticket.key]),
        {"root_cause_hypothesis": "Pool exhausted"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["ticket"] == ticket.key
    assert body["state"] == "pending"
    assert body["version"] == "2.14.1"  # prefilled from the ticket
    assert body["root_cause_hypothesis"] == "Pool exhausted"
    assert set(services.REPORT_FIELDS) <= set(body)
    again = _api(agent).post(reverse("api-ticket-escalate", args=[ticket.key]), {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_escalated"
    pk = body["id"]
    by_agent = _api(agent).post(
        reverse("api-escalation-accept", args=[pk]), {"committed_date": "2099-01-01"}, format="json"
    )
    assert by_agent.status_code == 403
    assert by_agent.json()["error"]["code"] == "permission_denied"
    no_date = _api(engineer).post(reverse("api-escalation-accept", args=[pk]), {}, format="json")
    assert no_date.status_code == 400
    assert list(no_date.json()["error"]["fields"]) == ["committed_date"]
    no_reason = _api(engineer).post(
        reverse("api-escalation-reject", args=[pk]), {"reason": ""}, format="json"
    )
    assert no_reason.status_code == 400
    assert list(no_reason.json()["error"]["fields"]) == ["reason"]
    accepted = _api(engineer).post(
        reverse("api-escalation-accept", args=[pk]),
        {"committed_date": "2099-01-01"},
        format="json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["committed_date"] == "2099-01-01"
    assert accepted.json()["decided_by"] == "eng"
    decided = _api(engineer).post(
        reverse("api-escalation-reject", args=[pk]), {"reason": "late"}, format="json"
    )
    assert decided.status_code == 409
    listed = _api(agent).get(reverse("api-escalation-list"), {"state": "accepted"}).json()
    assert [e["id"] for e in listed["results"]] == [pk]
    for wrong in ("maybe", ""):
        bad = _api(agent).get(reverse("api-escalation-list"), {"state": wrong})
        assert bad.status_code == 400
        assert list(bad.json()["error"]["fields"]) == ["state"]


def test_api_schedules_say_who_is_on_call_now(agent):
    Schedule.objects.create(name="Primary", time_zone="Europe/Oslo")
    answer = _api(agent).get(reverse("api-schedule-list"))
    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert row == {
        "id": row["id"],
        "name": "Primary",
        "time_zone": "Europe/Oslo",
        "on_call_now": [],
        "next_handoff_at": None,
        "next_on_call": None,
    }
    assert _api(agent).get(reverse("api-schedule-detail", args=[row["id"]])).json() == row
    assert _api(agent).get(reverse("api-schedule-detail", args=[row["id"] + 99])).status_code == 404
