"""What paging adds to the on-call handoff report: the pages still open and the incidents under
way, so the incoming engineer starts with what is burning (seeds 002 and 003)."""

from __future__ import annotations

from datetime import datetime

from escalation.handoff import LISTED, Section, register_section
from escalation.models import OPEN_PAGE
from helpdesk.models import User
from tickets.choices import OPEN_STATUSES, IssueType, Severity
from tickets.selectors import tickets_visible_to

from .selectors import pages_visible_to


def active_pages(user: User, now: datetime) -> Section:
    qs = pages_visible_to(user).filter(OPEN_PAGE)
    listed = qs.select_related("ticket", "acknowledged_by").order_by("-started_at", "-id")[:LISTED]
    lines = []
    for page in listed:
        state = (
            f"acknowledged by {page.acknowledged_by.display_name}"
            if page.acknowledged_by
            else "not acknowledged"
        )
        lines.append(f"{page.ticket.key} · {state} · {page.summary}")
    return Section("Active pages", lines, qs.count())


def active_incidents(user: User, now: datetime) -> Section:
    qs = tickets_visible_to(user).filter(status__in=OPEN_STATUSES, issue_type=IssueType.INCIDENT)
    listed = qs.order_by("severity", "-updated_at")[:LISTED]
    lines = [f"{t.key} · {Severity(t.severity).label} · {t.title}" for t in listed]
    return Section("Incidents under way", lines, qs.count())


def ready() -> None:
    register_section(active_pages)
    register_section(active_incidents)
