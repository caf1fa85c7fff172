"""Demo engineering escalations (one accepted with a date, one waiting) and a monitoring source."""

from __future__ import annotations

from datetime import datetime, timedelta

from escalation.alerts import keys
from escalation.engineering import services
from escalation.engineering.prefill import bug_report_from
from escalation.models import AlertSource, EngineeringEscalation
from helpdesk.models import User
from tickets.choices import OPEN_STATUSES, Tier
from tickets.models import Organization, Ticket


def load_engineering_demo(now: datetime) -> str:
    """Returns what was loaded, for the command's output (the source's secret is shown once)."""
    said = []
    if not EngineeringEscalation.objects.exists():
        said.append(_escalations(now))
    if not AlertSource.objects.exists():
        said.append(_alert_source())
    return " ".join(s for s in said if s)


def _escalations(now: datetime) -> str:
    people = {u.username: u for u in User.objects.filter(username__in=["agent", "engineer"])}
    tickets = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES, is_security=False, severity__lte=2)
        .select_related("organization")
        .order_by("number")[:2]
    )
    if len(people) < 2 or len(tickets) < 2:
        return "No engineering escalations loaded (no open P1/P2 demo tickets)."
    agent, engineer = people["agent"], people["engineer"]
    accepted, waiting = tickets
    first = services.engineering_escalate(
        ticket=accepted,
        actor=agent,
        report={
            **bug_report_from(accepted),
            "reproduction_steps": "Send the request from the ticket\nRepeat it 10 times",
            "root_cause_hypothesis": "Connection pool exhausted under concurrent writes.",
        },
        now=now - timedelta(hours=2),
    )
    services.engineering_accept(
        escalation=first,
        actor=engineer,
        committed_date=(now + timedelta(days=3)).date(),
        note="Fix in the next patch release.",
        now=now - timedelta(hours=1),
    )
    services.engineering_escalate(
        ticket=waiting, actor=agent, report=bug_report_from(waiting), now=now
    )
    return f"Engineering escalations: {accepted.key} accepted with a date, {waiting.key} waiting."


def _alert_source() -> str:
    organization, _ = Organization.objects.get_or_create(
        slug="platform-internal",
        defaults={"name": "Our platform (internal)", "tier": Tier.ENTERPRISE},
    )
    source = AlertSource(name="Platform monitoring", slug="platform", organization=organization)
    raw = keys.rotate(source)
    source.save()
    return (
        "Alert source “Platform monitoring”: POST alerts to /api/v1/alerts/platform/ with "
        f"“Authorization: Bearer {raw}”."
    )
