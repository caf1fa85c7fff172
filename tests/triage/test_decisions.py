from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.errors import DomainError
from tests.factories import OrganizationFactory, make_agent, make_contact
from tests.kb.kb_factories import make_known_issue
from tests.triage.factories import analysis, report
from tickets.choices import EventKind
from tickets.models import Comment, TicketEvent
from triage import decisions, incidents
from triage.models import Decision, Incident, Kind, Suggestion
from triage.pipeline import triage_ticket
from triage.selectors import acceptance_rates

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _suggest(ticket, **fields):
    run = triage_ticket(ticket, now=T0, analysis=analysis(**fields)).run_id
    return {s.kind: s for s in Suggestion.objects.filter(run_id=run)}


def test_accepting_a_severity_changes_the_ticket_through_the_services(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent, severity=3)
    rows = _suggest(ticket, severity="P2", category="performance")
    later = T0 + timedelta(minutes=3)
    decisions.suggestion_accept(suggestion=rows[Kind.SEVERITY], actor=agent, now=later)
    ticket.refresh_from_db()
    assert ticket.severity == 2
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SEVERITY)
    assert (event.before, event.after, event.actor_id) == (3, 2, agent.pk)
    assert ticket.sla_kind  # the SLA was re-applied for P2
    s = Suggestion.objects.get(pk=rows[Kind.SEVERITY].pk)
    assert (s.decision, s.decided_value, s.decided_by_id, s.decided_at) == (
        Decision.ACCEPTED, "P2", agent.pk, later,
    )  # fmt: skip


def test_overriding_records_the_value_and_applies_it(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    rows = _suggest(ticket, category="documentation")
    decisions.suggestion_override(
        suggestion=rows[Kind.CATEGORY], actor=agent, value="integration", now=T0
    )
    ticket.refresh_from_db()
    assert ticket.category == "integration"
    s = Suggestion.objects.get(pk=rows[Kind.CATEGORY].pk)
    assert (s.decision, s.value, s.decided_value) == (
        Decision.OVERRIDDEN, "documentation", "integration",
    )  # fmt: skip


def test_a_value_outside_the_vocabulary_is_refused_and_nothing_changes(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    rows = _suggest(ticket, category="documentation")
    with pytest.raises(DomainError, match="not one of"):
        decisions.suggestion_override(
            suggestion=rows[Kind.CATEGORY], actor=agent, value="billing", now=T0
        )
    assert Suggestion.objects.get(pk=rows[Kind.CATEGORY].pk).decision == Decision.PENDING


def test_a_suggestion_is_decided_once(org_b, agent):
    other = make_agent(username="other", first_name="Olive", last_name="Other")
    ticket = report(org_b, at=T0, actor=agent)
    s = _suggest(ticket)[Kind.ENVIRONMENT]
    decisions.suggestion_dismiss(suggestion=s, actor=agent, now=T0)
    with pytest.raises(DomainError, match="already dismissed by Alex Agent"):
        decisions.suggestion_accept(suggestion=s, actor=other, now=T0)


def test_customers_cannot_decide(org_b, agent):
    customer = make_contact(org_b, username="c9")
    ticket = report(org_b, at=T0, actor=agent)
    s = _suggest(ticket)[Kind.SEVERITY]
    with pytest.raises(DomainError):
        decisions.suggestion_accept(suggestion=s, actor=customer, now=T0)


def test_accepting_a_close_as_hands_the_reply_to_the_composer_without_sending(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    rows = _suggest(ticket, close_as="config_error", reply_template="Your key has a space.")
    outcome = decisions.suggestion_accept(suggestion=rows[Kind.CLOSE_AS], actor=agent, now=T0)
    assert (outcome.compose, outcome.compose_status) == ("Your key has a space.", "resolved")
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_accepting_a_known_issue_links_it_and_offers_its_reply(org_b, agent):
    make_known_issue(
        agent, external_id="KI-52", error_signatures=["unexpected keyword argument 'proxies'"]
    )
    ticket = report(
        org_b, at=T0, actor=agent, description="TypeError: unexpected keyword argument 'proxies'"
    )
    rows = _suggest(ticket)
    outcome = decisions.suggestion_accept(suggestion=rows[Kind.KNOWN_ISSUE], actor=agent, now=T0)
    assert ticket.known_issues.get().external_id == "KI-52"
    assert "KI-52" in outcome.compose


def test_accepting_a_duplicate_links_the_original(org_b, agent):
    sig = {"message": "timeout", "endpoint": "/v1/exports", "status": "504"}
    first = report(org_b, at=T0, actor=agent, title="Exports time out")
    triage_ticket(first, now=T0, analysis=analysis(**sig))
    second = report(org_b, at=T0 + timedelta(hours=1), actor=agent, title="Export 504")
    run = triage_ticket(second, now=T0 + timedelta(hours=1), analysis=analysis(**sig)).run_id
    dup = Suggestion.objects.get(run_id=run, kind=Kind.DUPLICATE)
    decisions.suggestion_accept(suggestion=dup, actor=agent, now=T0 + timedelta(hours=1))
    second.refresh_from_db()
    assert second.duplicate_of_id == first.pk


def test_declaring_an_incident_links_the_reports_and_one_reply_reaches_every_customer(agent):
    sig = {"message": "upstream connect error", "endpoint": "/v1/payments", "status": "502"}
    orgs = [OrganizationFactory(tier="business") for _ in range(3)]
    tickets = []
    for i, org in enumerate(orgs):
        at = T0 + timedelta(minutes=10 * i)
        tickets.append(report(org, at=at, actor=agent, severity=3))
        run = triage_ticket(tickets[-1], now=at, analysis=analysis(**sig)).run_id
    suggestion = Suggestion.objects.get(run_id=run, kind=Kind.INCIDENT)
    now = T0 + timedelta(minutes=25)
    outcome = decisions.suggestion_accept(suggestion=suggestion, actor=agent, now=now)
    incident = Incident.objects.get()
    parent = incident.parent
    assert outcome.message == f"Incident {parent.key} declared."
    assert (parent.issue_type, parent.severity) == ("incident", 2)
    assert sorted(parent.children.values_list("pk", flat=True)) == [t.pk for t in tickets]
    assert set(parent.children.values_list("severity", flat=True)) == {2}

    # A new report of the same error is offered the active incident.
    late = report(OrganizationFactory(), at=now, actor=agent)
    run = triage_ticket(late, now=now, analysis=analysis(**sig)).run_id
    link = Suggestion.objects.get(run_id=run, kind=Kind.INCIDENT)
    assert link.value == parent.key
    decisions.suggestion_accept(suggestion=link, actor=agent, now=now)
    late.refresh_from_db()
    assert late.parent_id == parent.pk

    sent = incidents.incident_broadcast(
        parent=parent, actor=agent, body="We are rerouting traffic; next update 11:30 UTC.", now=now
    )
    assert sent == 4
    for t in [*tickets, late]:
        reply = Comment.objects.get(ticket=t)
        assert (reply.is_internal, reply.body) == (
            False, "We are rerouting traffic; next update 11:30 UTC.",
        )  # fmt: skip
    assert Comment.objects.get(ticket=parent).is_internal


def test_acceptance_rate_per_kind(org_b, agent):
    now = T0
    for decide in ("accept", "accept", "override", "dismiss"):
        ticket = report(org_b, at=now, actor=agent)
        s = _suggest(ticket, severity="P3")[Kind.SEVERITY]
        if decide == "accept":
            decisions.suggestion_accept(suggestion=s, actor=agent, now=now)
        elif decide == "override":
            decisions.suggestion_override(suggestion=s, actor=agent, value="P4", now=now)
        else:
            decisions.suggestion_dismiss(suggestion=s, actor=agent, now=now)
    rows = {r.kind: r for r in acceptance_rates(start=T0.date(), end=T0.date())}
    severity = rows["severity"]
    assert (severity.accepted, severity.overridden, severity.dismissed) == (2, 1, 1)
    assert severity.rate == 0.5
    assert "category" not in rows  # nobody decided on one yet
