"""The bug report as Markdown, for an external tracker (download, and the webhook's payload)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from escalation.models import EngineeringEscalation


def bug_report_markdown(escalation: EngineeringEscalation) -> str:
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    ctx = {
        "e": escalation,
        "ticket": escalation.ticket,
        "ticket_url": f"{base}{escalation.ticket.get_absolute_url()}",
        "steps": [s.strip() for s in escalation.reproduction_steps.splitlines() if s.strip()],
        "endpoints": [s.strip() for s in escalation.affected_endpoints.splitlines() if s.strip()],
    }
    return render_to_string("escalation/engineering/bug_report.md", ctx)
