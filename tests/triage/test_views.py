from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, make_contact
from tests.triage.factories import analysis, report
from triage import decisions, incidents
from triage.matching import Signature
from triage.models import Decision, Kind, Suggestion
from triage.pipeline import triage_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


def _p1(org, agent):
    ticket = report(org, at=T0, actor=agent, title="All API calls return 500", severity=3)
    triage_ticket(
        ticket,
        now=T0,
        analysis=analysis(
            severity="P1",
            category="other",
            escalate="always",
            reasons={"severity": ["Rule P1-a: every API request fails in production"]},
        ),
    )
    return ticket


def test_the_panel_shows_each_suggestion_with_its_reasons_and_review(client, org_a, agent):
    ticket = _p1(org_a, agent)
    client.force_login(agent)
    page = client.get(reverse("triage:ticket_panel", args=[ticket.key])).content.decode()
    assert "Rule P1-a: every API request fails in production" in page
    assert "Needs human review" in page
    assert "P1/P2 ticket, enterprise customer: accept or override" in page
    assert "Review: escalation" in page  # the escalation's own reason, beside it
    assert 'name="action" value="override"' in page


def test_customers_and_other_organizations_get_404(client, org_a, org_b, agent):
    ticket = _p1(org_a, agent)
    client.force_login(make_contact(org_b, username="c2"))
    assert client.get(reverse("triage:ticket_panel", args=[ticket.key])).status_code == 404
    s = Suggestion.objects.filter(ticket=ticket).first()
    url = reverse("triage:decide", args=[ticket.key, s.pk])
    assert client.post(url, {"action": "accept"}).status_code == 404
    assert Suggestion.objects.get(pk=s.pk).decision == Decision.PENDING


def test_accept_and_override_by_post(client, org_a, agent):
    ticket = _p1(org_a, agent)
    client.force_login(agent)
    rows = {s.kind: s for s in Suggestion.objects.filter(ticket=ticket)}
    url = reverse("triage:decide", args=[ticket.key, rows[Kind.SEVERITY].pk])
    page = client.post(url, {"action": "accept"}, **HTMX)
    assert page.status_code == 200
    assert b"Accepted by Alex Agent" in page.content
    assert b"data-triage-changed" in page.content
    url = reverse("triage:decide", args=[ticket.key, rows[Kind.CATEGORY].pk])
    client.post(url, {"action": "override", "value": "performance"}, **HTMX)
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.category) == (1, "performance")
    # Without htmx the form still works and lands back on the ticket.
    url = reverse("triage:decide", args=[ticket.key, rows[Kind.ESCALATION].pk])
    response = client.post(url, {"action": "dismiss"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_detail", args=[ticket.key])


def test_a_refused_override_is_shown_in_the_panel(client, org_a, agent):
    ticket = _p1(org_a, agent)
    client.force_login(agent)
    s = Suggestion.objects.get(ticket=ticket, kind=Kind.CATEGORY)
    url = reverse("triage:decide", args=[ticket.key, s.pk])
    page = client.post(url, {"action": "override", "value": "billing"}, **HTMX)
    assert "“billing” is not one of" in page.content.decode()
    assert Suggestion.objects.get(pk=s.pk).decision == Decision.PENDING


def test_reply_checks_answer_the_draft(client, org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    client.force_login(agent)
    url = reverse("triage:reply_check", args=[ticket.key])
    assert client.get(url).status_code == 200
    page = client.post(
        url, {"body": "This will be fixed by Friday, it is impossible otherwise."}, **HTMX
    ).content.decode()
    for code in ("fix_date", "impossible", "reference", "next_steps", "next_update"):
        assert f'data-check="{code}"' in page
    note = client.post(url, {"body": "impossible", "is_internal": "on"}, **HTMX).content.decode()
    assert "data-check" not in note


def test_queue_banner_lists_active_incidents(client, agent):
    orgs = [OrganizationFactory() for _ in range(2)]
    reports = [report(org, at=T0, actor=agent) for org in orgs]
    parent = incidents.incident_declare(
        reports=reports, label="/v1/payments 502", signature_key="k", actor=agent, now=T0
    )
    client.force_login(agent)
    page = client.get(reverse("triage:queue_banner")).content.decode()
    assert parent.key in page
    assert "2 reports linked" in page
    queue = client.get(reverse("queue")).content.decode()
    assert reverse("triage:queue_banner") in queue

    url = reverse("triage:incident_update", args=[parent.key])
    page = client.post(url, {"body": "Traffic rerouted; next update 11:00 UTC."}, **HTMX)
    assert "Update sent to 2 reports." in page.content.decode()
    assert [r.comments.get().body for r in reports] == [
        "Traffic rerouted; next update 11:00 UTC."
    ] * 2
    refused = client.post(reverse("triage:incident_update", args=[reports[0].key]), {"body": "x"})
    assert refused.status_code == 302  # not an incident: said on the ticket page, nothing sent
    assert reports[0].comments.count() == 1


def test_dashboard_panel_table_chart_csv_and_bad_filters(client, org_b, agent, manager):
    ticket = report(org_b, at=T0, actor=agent)
    s = {
        x.kind: x
        for x in Suggestion.objects.filter(
            run_id=triage_ticket(ticket, now=T0, analysis=analysis()).run_id
        )
    }
    decisions.suggestion_accept(suggestion=s[Kind.SEVERITY], actor=agent, now=T0)
    url = reverse("triage:dashboard_acceptance")
    client.force_login(agent)
    assert client.get(url).status_code == 404  # the dashboard is the managers'
    client.force_login(manager)
    page = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert 'class="chart-data"' in page
    assert '"labels": ["Severity"]' in page
    assert "Triage acceptance" in page
    csv = client.get(url, {"format": "csv", "tier": "free"}).content.decode().splitlines()
    assert csv == [
        "Suggestion,Accepted,Overridden,Dismissed,Decided,Acceptance",
        "Severity,1,0,0,1,100.0 %",
    ]
    outside = client.get(url, {"format": "csv", "start": "2026-04-01"}).content.decode()
    assert outside.splitlines() == ["Suggestion,Accepted,Overridden,Dismissed,Decided,Acceptance"]
    bad = client.get(url, {"start": "March"})
    assert bad.status_code == 400
    assert b"start must be a date" in bad.content


def test_a_new_report_of_an_active_incident_shows_the_banner(client, agent):
    sig = {"message": "upstream connect error", "endpoint": "/v1/payments", "status": "502"}
    key = Signature(message=sig["message"], endpoint=sig["endpoint"], status_code="502").key
    reports = [report(OrganizationFactory(), at=T0, actor=agent) for _ in range(2)]
    parent = incidents.incident_declare(
        reports=reports, label="/v1/payments 502", signature_key=key, actor=agent, now=T0
    )
    late = report(OrganizationFactory(), at=T0, actor=agent)
    triage_ticket(late, now=T0, analysis=analysis(**sig))
    client.force_login(agent)
    page = client.get(reverse("triage:ticket_panel", args=[late.key])).content.decode()
    assert f"{parent.key}</a> has this error" in page
