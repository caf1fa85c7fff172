"""The panels the manager dashboard promises, in the order it shows them (by URL name, so the
platform names them without importing their apps). A promised panel that no app registered
is shown as not available rather than as zeros."""

from __future__ import annotations

PROMISED: list[tuple[str, str]] = [
    ("metrics:sla_attainment", "SLA attainment"),
    ("metrics:first_response", "First response time"),
    ("escalation_dashboard_acks", "Time to acknowledge pages"),
    ("metrics:resolution_time", "Time to resolve by severity"),
    ("metrics:first_contact", "First-contact resolution"),
    ("metrics:escalation_rate", "Escalation rate"),
    ("metrics:reopen_rate", "Reopened within 7 days"),
    ("metrics:backlog", "Backlog and its age"),
    ("metrics:volume_by_category", "Volume by category"),
    ("kb:dashboard_known_issues", "Known-issue frequency"),
    ("escalation_dashboard_rejected", "Engineering escalations rejected"),
    ("triage:dashboard_acceptance", "Triage acceptance rate"),
    ("csat_dashboard", "Customer satisfaction"),
    ("postmortems:dashboard", "Postmortems and action items"),
]
