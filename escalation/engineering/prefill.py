"""The bug report a ticket suggests (seed 001's format), for the agent to review before sending."""

from __future__ import annotations

from tickets.choices import BusinessImpact, Environment
from tickets.models import Ticket

SEVERITY = {1: "critical", 2: "high", 3: "medium", 4: "low"}
_IMPACT_BY_SEVERITY = {
    1: BusinessImpact.REVENUE_BLOCKING,
    2: BusinessImpact.FEATURE_UNAVAILABLE,
    3: BusinessImpact.DEGRADED_PERFORMANCE,
    4: BusinessImpact.COSMETIC,
}
_ENVIRONMENT = {Environment.PRODUCTION: "production", Environment.STAGING: "staging"}


def _affected_customers(ticket: Ticket) -> str:
    """The ticket's customer, and those of the tickets grouped under it (an incident)."""
    names = [ticket.organization.name]
    children = Ticket.objects.filter(parent=ticket).select_related("organization")
    names += sorted({c.organization.name for c in children} - {ticket.organization.name})
    return ", ".join(names)


def bug_report_from(ticket: Ticket) -> dict:
    """Field values of a bug report prefilled from what the ticket already says."""
    tier = ticket.organization.get_tier_display()
    impact = ticket.business_impact or _IMPACT_BY_SEVERITY[ticket.severity]
    users = f"{ticket.affected_users} users affected" if ticket.affected_users else ""
    justification = "; ".join(
        part
        for part in (
            f"P{ticket.severity} ({ticket.get_severity_display()}) under the playbook's criteria",
            f"{tier} customer",
            users,
            BusinessImpact(impact).label.lower(),
            "no workaround" if not ticket.workaround_available else "a workaround exists",
        )
        if part
    )
    logs = "\n".join(
        line
        for line in (
            f"Request ID: {ticket.request_id}" if ticket.request_id else "",
            f"Platform: {ticket.platform}" if ticket.platform else "",
            f"Browser/client: {ticket.browser}" if ticket.browser else "",
        )
        if line
    )
    return {
        "title": ticket.title,
        "severity": SEVERITY[ticket.severity],
        "affected_customers": _affected_customers(ticket),
        "affected_users": ticket.affected_users,
        "business_impact": impact,
        "workaround_available": ticket.workaround_available,
        "workaround_description": ticket.workaround,
        "reproduction_steps": "",
        "expected_behavior": "",
        "actual_behavior": ticket.description,
        "environment": _ENVIRONMENT.get(ticket.environment, ""),
        "version": ticket.product_version,
        "error_messages": ticket.error_message,
        "log_snippets": logs,
        "affected_endpoints": ticket.affected_endpoint,
        "root_cause_hypothesis": "",
        "suggested_fix": "",
        "priority_justification": justification,
    }
