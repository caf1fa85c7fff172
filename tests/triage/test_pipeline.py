from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import OrganizationFactory
from tests.kb.kb_factories import make_known_issue
from tests.triage.factories import analysis, report
from triage.models import Decision, Kind, RunStatus, Suggestion, TriageRun
from triage.pipeline import triage_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_suggestions_are_stored_with_their_reasons(org_a, agent):
    ticket = report(org_a, at=T0, actor=agent, title="All API calls return 500")
    result = triage_ticket(
        ticket,
        now=T0,
        analysis=analysis(
            severity="P1",
            category="other",
            issue_type="incident",
            environment="production",
            escalate="always",
            needs_info=("request_id",),
            info_request="Please send the request id.",
            reasons={
                "severity": ["Rule P1-a: all API requests failing in production"],
                "escalate": ["Rule E1: P1 escalates to on-call at once"],
            },
        ),
    )
    assert result.severity == "P1"
    run = TriageRun.objects.get(pk=result.run_id)
    assert run.status == RunStatus.DONE
    rows = {s.kind: s for s in Suggestion.objects.filter(run=run)}
    assert set(rows) == {
        Kind.SEVERITY,
        Kind.CATEGORY,
        Kind.ISSUE_TYPE,
        Kind.ENVIRONMENT,
        Kind.NEEDS_INFO,
        Kind.ESCALATION,
    }
    assert rows[Kind.SEVERITY].value == "P1"
    assert rows[Kind.SEVERITY].reasons == ["Rule P1-a: all API requests failing in production"]
    assert rows[Kind.ESCALATION].reasons == ["Rule E1: P1 escalates to on-call at once"]
    assert rows[Kind.NEEDS_INFO].details["template"] == "Please send the request id."
    # P1 and an enterprise customer: a person decides, and the panel says why.
    assert rows[Kind.SEVERITY].requires_review
    assert rows[Kind.SEVERITY].review_reasons == ["P1/P2 ticket", "enterprise customer"]
    assert all(s.decision == Decision.PENDING for s in rows.values())


def test_a_second_run_supersedes_undecided_suggestions(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    first = triage_ticket(ticket, now=T0, analysis=analysis(severity="P3"))
    second = triage_ticket(ticket, now=T0 + timedelta(minutes=5), analysis=analysis(severity="P2"))
    old = Suggestion.objects.filter(run_id=first.run_id)
    assert {s.decision for s in old} == {Decision.SUPERSEDED}
    pending = Suggestion.objects.get(ticket=ticket, kind=Kind.SEVERITY, decision="pending")
    assert pending.run_id == second.run_id
    assert pending.value == "P2"


def test_known_issue_matched_from_its_error_signature(org_b, agent):
    make_known_issue(
        agent,
        external_id="KI-44",
        title="PATCH /v1/orders returns 500 for amounts with three decimals",
        error_signatures=["PATCH /v1/orders/{id}", "decimal.InvalidOperation"],
        workaround="Round amounts to two decimals client-side.",
    )
    ticket = report(
        org_b,
        at=T0,
        actor=agent,
        title="Orders update fails",
        description="Our PATCH gives a 500, logs say decimal.InvalidOperation for 12.345.",
    )
    result = triage_ticket(ticket, now=T0, analysis=analysis(message="decimal.invalidoperation"))
    assert result.known_issue == "KI-44"
    assert result.close_as == "known_issue"
    ki = Suggestion.objects.get(ticket=ticket, kind=Kind.KNOWN_ISSUE)
    assert ki.details["workaround"] == "Round amounts to two decimals client-side."
    assert "decimal.InvalidOperation" in ki.reasons[0]


def test_an_endpoint_alone_does_not_match_a_known_issue(org_b, agent):
    make_known_issue(
        agent,
        external_id="KI-44",
        error_signatures=["PATCH /v1/orders/{id}", "decimal.InvalidOperation"],
    )
    ticket = report(
        org_b, at=T0, actor=agent, description="How do I call PATCH /v1/orders/{id} for refunds?"
    )
    assert triage_ticket(ticket, now=T0, analysis=analysis()).known_issue is None


def test_security_never_gets_close_as_or_a_known_issue(agent):
    org = OrganizationFactory(tier="business")
    make_known_issue(agent, external_id="KI-9", error_signatures=["token leaked in logs"])
    ticket = report(org, at=T0, actor=agent, description="Our token leaked in logs, please help")
    result = triage_ticket(
        ticket,
        now=T0,
        analysis=analysis(
            security=True, close_as="config_error", escalate="always", needs_info=("version",)
        ),
    )
    assert result.close_as is None
    assert result.known_issue is None
    assert result.needs_info == ()
    kinds = set(Suggestion.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert Kind.SECURITY in kinds
    assert Kind.CLOSE_AS not in kinds
    assert Suggestion.objects.get(ticket=ticket, kind=Kind.SECURITY).review_reasons == [
        "security report"
    ]
