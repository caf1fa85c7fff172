"""Engineering and tier escalation: the bug report, engineering's answer, the SLA commitment,
the metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from escalation.engineering import selectors, services
from escalation.engineering.markdown import bug_report_markdown
from escalation.engineering.prefill import bug_report_from
from escalation.models import EngineeringEscalation, EscalationState, TierEscalation
from helpdesk import clock
from helpdesk.errors import Conflict, DomainError, Forbidden
from helpdesk.models import OutboundMessage, Role, WebhookEndpoint
from tests.factories import make_agent, make_ticket
from tickets import services as ticket_services
from tickets.choices import EventKind
from tickets.models import SlaEvent, TicketEvent
from tickets.sla import clocks

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def engineer():
    return make_agent(username="eng", role=Role.ENGINEER, tier=3, first_name="Eve", last_name="Ng")


@pytest.fixture
def tier2():
    return make_agent(username="t2", tier=2, first_name="Tia", last_name="Two")


def _ticket(agent, org, **fields):
    fields.setdefault("severity", 2)
    return make_ticket(
        actor=agent,
        organization=org,
        title="POST /users returns 500",
        **{
            "description": "Creating a user with ü in the name fails.",
            "environment": "production",
            "product_version": "2.14.1",
            "error_message": "500 Internal Server Error",
            "request_id": "req-42",
            "affected_endpoint": "/api/users",
            "affected_users": 40,
            "business_impact": "feature_unavailable",
            **fields,
        },
    )


def _send(ticket, agent, **changes):
    report = {**bug_report_from(ticket), **changes}
    return services.engineering_escalate(ticket=ticket, actor=agent, report=report, now=NOW)


def test_the_bug_report_is_prefilled_with_the_playbook_fields(agent, org_a, org_b):
    ticket = _ticket(agent, org_a)
    make_ticket(actor=agent, organization=org_b, title="Same 500", parent=ticket)
    report = bug_report_from(ticket)
    assert report["title"] == "POST /users returns 500"
    assert report["severity"] == "high"
    assert report["affected_customers"] == "Acme Corp, Globex"
    assert report["affected_users"] == 40
    assert report["business_impact"] == "feature_unavailable"
    assert report["workaround_available"] is False
    assert report["actual_behavior"] == "Creating a user with ü in the name fails."
    assert report["environment"] == "production"
    assert report["version"] == "2.14.1"
    assert report["error_messages"] == "500 Internal Server Error"
    assert report["log_snippets"] == "Request ID: req-42"
    assert report["affected_endpoints"] == "/api/users"
    assert report["priority_justification"].startswith("P2 (High) under the playbook's criteria")
    assert "Enterprise customer" in report["priority_justification"]
    assert set(report) == set(services.REPORT_FIELDS)


def test_p1_and_p2_escalate_without_the_optional_fields(agent, org_a):
    ticket = _ticket(agent, org_a, severity=1)
    report = {f: bug_report_from(ticket)[f] for f in services.REQUIRED_ALWAYS}
    escalation = services.engineering_escalate(ticket=ticket, actor=agent, report=report, now=NOW)
    assert escalation.state == EscalationState.PENDING
    assert escalation.reproduction_steps == ""


def test_a_p3_needs_the_investigation_before_it_goes(agent, org_a):
    ticket = _ticket(agent, org_a, severity=3)
    with pytest.raises(DomainError) as refused:
        _send(ticket, agent)
    assert refused.value.field == "reproduction_steps"
    assert not EngineeringEscalation.objects.exists()
    escalation = _send(
        ticket, agent, reproduction_steps="POST /users\nname=ü", expected_behavior="201"
    )
    assert escalation.pk


def test_sending_is_on_the_timeline_and_goes_to_the_webhook_signed_by_the_outbox(agent, org_a):
    WebhookEndpoint.objects.create(name="Tracker", url="http://127.0.0.1:9/hook", secret="s")
    ticket = _ticket(agent, org_a)
    escalation = _send(ticket, agent)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATION)
    assert event.is_internal
    assert event.after["summary"] == "escalated to engineering: “POST /users returns 500” (high)"
    hook = OutboundMessage.objects.get(channel="webhook")
    assert hook.payload["event"] == "engineering_escalation.created"
    assert hook.payload["data"]["id"] == escalation.pk
    assert hook.payload["data"]["markdown"].startswith("# POST /users returns 500")
    with pytest.raises(Conflict):
        _send(ticket, agent)  # one report waits at a time


def test_an_escalation_step_is_the_tickets_latest_update_and_a_page_step_is_not(agent, org_a):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        ticket = _ticket(agent, org_a)
    _send(ticket, agent)
    ticket.refresh_from_db()
    assert ticket.updated_at == NOW  # the queue's "recently updated" shows the handoff
    # A step told after a later change never moves the time back.
    ticket_services.ticket_record_escalation_step(
        ticket_id=ticket.pk, actor=agent, now=NOW - timedelta(minutes=30), summary="earlier"
    )
    # Paging is about the people on call, not the ticket: it leaves the time alone.
    ticket_services.ticket_record_page_step(
        ticket_id=ticket.pk, actor=None, now=NOW + timedelta(minutes=5), summary="paged"
    )
    ticket.refresh_from_db()
    assert ticket.updated_at == NOW


def test_the_markdown_export_carries_every_section(agent, org_a):
    ticket = _ticket(agent, org_a)
    text = bug_report_markdown(_send(ticket, agent, reproduction_steps="one\ntwo"))
    for heading in (
        "## Customer impact",
        "## Reproduction steps",
        "## Expected behaviour",
        "## Actual behaviour",
        "## Technical details",
        "### Error messages",
        "### Log snippets",
        "## Root-cause hypothesis",
        "## Suggested fix",
        "## Priority justification",
    ):
        assert heading in text
    assert "1. one\n2. two" in text
    assert f"[{ticket.key}](" in text


def test_reject_needs_a_reason_and_only_engineering_decides(agent, engineer, org_a):
    escalation = _send(_ticket(agent, org_a), agent)
    with pytest.raises(Forbidden):
        services.engineering_reject(escalation=escalation, actor=agent, reason="no", now=NOW)
    with pytest.raises(DomainError) as refused:
        services.engineering_reject(escalation=escalation, actor=engineer, reason="  ", now=NOW)
    assert refused.value.field == "reason"
    escalation.refresh_from_db()
    assert escalation.state == EscalationState.PENDING
    services.engineering_reject(
        escalation=escalation, actor=engineer, reason="Works as documented", now=NOW
    )
    escalation.refresh_from_db()
    assert (escalation.state, escalation.decision_note) == ("rejected", "Works as documented")
    summaries = [e.after["summary"] for e in TicketEvent.objects.filter(kind="escalation")]
    assert summaries[-1] == "engineering rejected the bug report: Works as documented"


def test_accepting_with_a_date_fulfils_the_resolution_target_and_tells_the_customer_nothing(
    agent, engineer, org_a, customer_a
):
    with time_machine.travel(NOW, tick=False):
        ticket = _ticket(agent, org_a, requester=customer_a)
        escalation = _send(ticket, agent)
    later = NOW + timedelta(hours=3)
    with pytest.raises(DomainError):
        services.engineering_accept(
            escalation=escalation, actor=engineer, committed_date=None, now=later
        )
    public_before = TicketEvent.objects.filter(ticket=ticket, is_internal=False).count()
    mail_before = OutboundMessage.objects.filter(recipient=customer_a.email).count()
    services.engineering_accept(
        escalation=escalation, actor=engineer, committed_date=date(2026, 3, 20), now=later
    )
    rows = {r["target"].kind: r for r in clocks.target_rows(ticket, now=later)}
    assert rows["resolution"]["state"] == "met by commitment"
    assert "2026-03-20" in rows["resolution"]["commitment"]
    fulfilled = SlaEvent.objects.get(ticket=ticket, target_kind="resolution", kind="fulfilled")
    assert fulfilled.data["by"] == "commitment"
    ticket.refresh_from_db()
    assert ticket.sla_kind != "resolution"
    assert ticket.status == "new"  # the ticket itself stays open
    assert TicketEvent.objects.filter(ticket=ticket, is_internal=False).count() == public_before
    assert OutboundMessage.objects.filter(recipient=customer_a.email).count() == mail_before


def test_the_sla_panel_says_met_by_commitment(client, agent, engineer, org_a):
    ticket = _ticket(agent, org_a)
    escalation = _send(ticket, agent)
    services.engineering_accept(
        escalation=escalation,
        actor=engineer,
        committed_date=(clock.now() + timedelta(days=7)).date(),
        now=clock.now(),
    )
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'class="sla sla-met-by-commitment">Met by commitment<' in page
    assert "Root cause identified: engineering committed to a fix by" in page


def test_tier_escalation_reassigns_with_its_reason_on_the_timeline(agent, tier2, org_a):
    ticket = _ticket(agent, org_a, assignee=agent)
    with pytest.raises(DomainError):
        services.tier_escalate(
            ticket=ticket, to_tier=2, assignee=tier2, reason="", actor=agent, now=NOW
        )
    with pytest.raises(DomainError) as wrong:
        services.tier_escalate(
            ticket=ticket, to_tier=3, assignee=tier2, reason="deep", actor=agent, now=NOW
        )
    assert wrong.value.field == "assignee"
    record = services.tier_escalate(
        ticket=ticket, to_tier=2, assignee=tier2, reason="Needs log analysis", actor=agent, now=NOW
    )
    ticket.refresh_from_db()
    assert ticket.assignee == tier2
    assert (record.from_tier, record.to_tier, record.from_assignee) == (1, 2, agent)
    step = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATION)
    assert step.after["summary"] == "escalated from tier 1 to tier 2 (Tia Two): Needs log analysis"
    with pytest.raises(DomainError) as down:
        services.tier_escalate(
            ticket=ticket, to_tier=2, assignee=None, reason="again", actor=agent, now=NOW
        )
    assert down.value.field == "to_tier"


def test_the_rejected_share_and_escalation_rate_for_a_date_range(agent, engineer, org_a):
    with time_machine.travel(NOW, tick=False):
        tickets = [_ticket(agent, org_a) for _ in range(4)]
    for ticket, verdict in zip(tickets[:3], ("accept", "reject", "accept"), strict=True):
        escalation = _send(ticket, agent)
        if verdict == "accept":
            services.engineering_accept(
                escalation=escalation, actor=engineer, committed_date=date(2026, 4, 1), now=NOW
            )
        else:
            services.engineering_reject(
                escalation=escalation, actor=engineer, reason="Not a bug", now=NOW
            )
    _send(tickets[3], agent)  # still waiting: not decided, not counted
    day = timedelta(days=1)
    share = selectors.engineering_rejected_share(NOW - day, NOW + day)
    assert (share.count, share.of) == (1, 3)
    assert share.rate == pytest.approx(1 / 3)
    assert selectors.engineering_rejected_share(NOW + day, NOW + 2 * day).rate is None
    services.tier_escalate(
        ticket=tickets[3], to_tier=3, assignee=None, reason="x", actor=agent, now=NOW
    )
    with time_machine.travel(NOW, tick=False):
        _ticket(agent, org_a)  # never escalated
    rate = selectors.escalation_rate(NOW - day, NOW + day)
    assert (rate.count, rate.of) == (4, 5)
    assert TierEscalation.objects.count() == 1
