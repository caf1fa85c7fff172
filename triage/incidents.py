"""Incidents declared from triage: a parent ticket for reports of one error from several
customers, the reports linked as its children, and one update to all of their customers.

The parent is a ticket of the earliest report's organization (a ticket needs one); its text names
no other customer, because that organization's contacts can read it on the portal. The children's
customers never see the link (decisions: Links).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from helpdesk.errors import DomainError
from helpdesk.models import User
from tickets import services as ticket_services
from tickets.choices import OPEN_STATUSES, Channel, IssueType, Severity
from tickets.models import Ticket

from .models import Incident

# Seed 003, P2: "Multiple customers reporting the same issue within 1 hour".
INCIDENT_SEVERITY = Severity.P2


@transaction.atomic
def incident_declare(
    *,
    reports: Sequence[Ticket],
    label: str,
    signature_key: str,
    actor: User,
    now: datetime,
) -> Ticket:
    """Open the parent incident ticket, raise it and its reports to at least P2 (a P1 report
    keeps its P1 and makes the incident P1), and link the reports as its children."""
    if not reports:
        raise DomainError("An incident needs at least one report.")
    active = Incident.objects.filter(
        signature_key=signature_key, parent__status__in=OPEN_STATUSES
    ).first()
    if signature_key and active is not None:
        raise DomainError(
            f"Incident {active.parent.key} is already active for this error: link to it.",
            code="incident_active",
        )
    severity = min(INCIDENT_SEVERITY, *(r.severity for r in reports))
    first = reports[0]
    parent = ticket_services.ticket_create(
        actor=actor,
        organization=first.organization,
        title=f"Incident: {label or first.title}"[:200],
        description=(
            "Several customers report the same error"
            + (f" ({label})" if label else "")
            + ". Their reports are linked to this incident, which carries the updates."
        ),
        issue_type=IssueType.INCIDENT,
        severity=severity,
        category=first.category,
        environment=first.environment,
        channel=Channel.MONITORING if first.channel == Channel.MONITORING else Channel.PORTAL,
        now=now,
    )
    Incident.objects.create(
        parent=parent,
        signature_key=signature_key,
        label=(label or first.title)[:300],
        declared_by=actor,
        declared_at=now,
    )
    for report in reports:
        changes: dict = {"parent": parent}
        if report.severity > severity:
            changes["severity"] = severity
        ticket_services.ticket_update(ticket=report, actor=actor, changes=changes, now=now)
    return parent


@transaction.atomic
def incident_broadcast(*, parent: Ticket, actor: User, body: str, now: datetime) -> int:
    """One update from the incident to every open report's customer: a public reply on each
    child (so each customer's SLA update clock is served), all or none. Returns how many."""
    children = list(
        Ticket.objects.filter(parent=parent, status__in=OPEN_STATUSES).order_by("created_at", "pk")
    )
    if not children:
        raise DomainError("No open report is linked to this incident.", code="no_children")
    for child in children:
        ticket_services.comment_add(ticket=child, author=actor, body=body, now=now)
    keys = ", ".join(c.key for c in children)
    ticket_services.comment_add(
        ticket=parent,
        author=actor,
        body=f"Update sent to the customers of {len(children)} reports ({keys}):\n\n{body}",
        is_internal=True,
        now=now,
    )
    return len(children)


def active_incidents() -> list[Incident]:
    return list(
        Incident.objects.filter(parent__status__in=OPEN_STATUSES)
        .select_related("parent")
        .order_by("-declared_at")[:10]
    )


def active_for(parent_id: int) -> Incident | None:
    """The active incident led by the ticket `parent_id`."""
    return (
        Incident.objects.filter(parent_id=parent_id, parent__status__in=OPEN_STATUSES)
        .select_related("parent")
        .first()
    )
