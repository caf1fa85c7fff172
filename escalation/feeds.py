"""Read-only iCal feeds of materialised shifts (the rules stay the source of truth)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event

from escalation.models import Shift

PRODID = "-//Helpdesk//On-call//EN"


def _base() -> str:
    return settings.HELPDESK_BASE_URL.rstrip("/")


def shifts_calendar(name: str, shifts: Iterable[Shift], *, with_schedule: bool) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for shift in shifts:
        event = Event()
        # Stable across re-materialisation of an unchanged shift, so calendar apps update in place.
        event.add("uid", f"shift-{shift.schedule_id}-{shift.starts_at:%Y%m%dT%H%M%SZ}@helpdesk")
        who = shift.user.display_name if shift.user else "Nobody on call (gap)"
        summary = f"{shift.schedule.name}: {who}" if with_schedule else who
        if shift.override_id:
            summary += " (cover)"
        event.add("summary", summary)
        event.add("dtstart", shift.starts_at)
        event.add("dtend", shift.ends_at)
        event.add("dtstamp", shift.starts_at)
        event.add("url", _base() + reverse("oncall_schedule", args=[shift.schedule_id]))
        cal.add_component(event)
    return cal.to_ical()
