"""Which policy pages a ticket, and the frozen copy of its levels that a page carries."""

from __future__ import annotations

from escalation.models import EscalationPolicy
from tickets.models import Ticket
from tickets.notifications import owners

# Without a matching policy a page still reaches the people who answer for the ticket (its
# assignee, else its team and lead, else triage) and waits this long before giving up.
FALLBACK_WAIT_MINUTES = 15


def matches(policies: list[EscalationPolicy], ticket: Ticket) -> EscalationPolicy | None:
    """The first of `policies` (active, in order) whose team, severity and security scope
    match the ticket: a pure function, so a sweep matches many tickets with one query."""
    for policy in policies:
        if policy.team_id is not None and policy.team_id != ticket.team_id:
            continue
        if policy.severity is not None and policy.severity != ticket.severity:
            continue
        if policy.security_only and not ticket.is_security:
            continue
        return policy
    return None


def policy_for(ticket: Ticket) -> EscalationPolicy | None:
    return matches(list(EscalationPolicy.objects.filter(is_active=True)), ticket)


def snapshot(policy: EscalationPolicy) -> list[dict]:
    """The levels as plain JSON, so editing the policy never changes a page in flight."""
    return [
        {
            "position": level.position,
            "wait_minutes": level.wait_minutes,
            "users": sorted(u.pk for u in level.users.all()),
            "team": level.team_id,
            "schedule": level.schedule_id,
        }
        for level in policy.levels.prefetch_related("users").order_by("position", "id")
    ]


def fallback_levels(ticket: Ticket) -> list[dict]:
    people = owners(ticket, with_lead=True)
    return [
        {
            "position": 1,
            "wait_minutes": FALLBACK_WAIT_MINUTES,
            "users": sorted(u.pk for u in people),
            "team": None,
            "schedule": None,
        }
    ]
