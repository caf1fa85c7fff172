"""Due dates of a postmortem and of its action items (seed 000, decided in docs/decisions.md).

- The draft is due 48 hours after the resolution (the playbook promises customers the full
  postmortem within 48 hours).
- The review is due 3 days after the resolution for a P1, and 5 business days after it otherwise.
  A business day is a Monday to Friday that is not a holiday of the ticket's SLA calendar,
  counted in that calendar's time zone: reviewing is office work even when the on-call rota that
  handled the incident runs 24/7.
- An action item is due 15 days after it is written for a P1, 30 days otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tickets.models import BusinessCalendar, SlaTarget
from tickets.sla.businesstime import CalendarSpec

DRAFT_WITHIN = timedelta(hours=48)
P1_REVIEW_WITHIN = timedelta(days=3)
REVIEW_BUSINESS_DAYS = 5
P1_ACTION_WITHIN = timedelta(days=15)
ACTION_WITHIN = timedelta(days=30)


def add_business_days(start: datetime, days: int, spec: CalendarSpec) -> datetime:
    """The same local time `days` working days later (Monday to Friday, outside holidays)."""
    zone = spec.zone
    local = start.astimezone(zone)
    day = local.date()
    left = days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in spec.holidays:
            left -= 1
    # Through UTC, so a time that a clock change skips or repeats still lands on a real instant.
    naive = datetime.combine(day, local.timetz().replace(tzinfo=None))
    return naive.replace(tzinfo=zone).astimezone(start.tzinfo)


def calendar_of(ticket) -> CalendarSpec:
    """Read afresh rather than from the SLA engine's one-minute cache: a postmortem is opened
    once, and a holiday added this minute counts."""
    # A resolved ticket runs no clock and keeps no calendar of its own: its SLA targets do.
    calendar_id = ticket.sla_calendar_id or (
        SlaTarget.objects.filter(ticket=ticket)
        .order_by("-started_at", "-id")
        .values_list("calendar_id", flat=True)
        .first()
    )
    calendar = (
        BusinessCalendar.objects.prefetch_related("periods", "holidays")
        .filter(pk=calendar_id)
        .first()
    )
    return calendar.spec() if calendar else CalendarSpec.always_open()


def draft_due(resolved_at: datetime) -> datetime:
    return resolved_at + DRAFT_WITHIN


def review_due(ticket, resolved_at: datetime) -> datetime:
    if ticket.severity == 1:
        return resolved_at + P1_REVIEW_WITHIN
    return add_business_days(resolved_at, REVIEW_BUSINESS_DAYS, calendar_of(ticket))


def action_due(ticket, now: datetime) -> datetime:
    return now + (P1_ACTION_WITHIN if ticket.severity == 1 else ACTION_WITHIN)
