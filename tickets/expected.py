"""When the customer can expect to hear from support, from the ticket's running SLA targets.

The portal says it in the customer's clock: "We will reply by 14:30 your time" while the first
response is due, "Next update by Tue 09:00 your time" while the customer-update target runs, and
nothing while the ticket waits on the customer or is resolved or closed (no clock runs then). The
due times are the SLA's, already in business time; only their wording is local.

The customer's time zone is the one their browser reports (a `tz` cookie the portal sets from
`Intl.DateTimeFormat`); until the browser has said, the time is shown in UTC and labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .choices import Status
from .models import SlaKind, Ticket

TZ_COOKIE = "tz"
_QUIET = frozenset({Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CLOSED})


@dataclass(frozen=True)
class Expected:
    text: str  # "We will reply by 14:30 your time"
    due_at: datetime
    kind: str


def zone_from(name: str | None) -> ZoneInfo | None:
    """A valid IANA zone from the browser's cookie, or None."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _when(due: datetime, now: datetime, zone: ZoneInfo | None) -> str:
    local_zone = zone or ZoneInfo("UTC")
    local, today = due.astimezone(local_zone), now.astimezone(local_zone).date()
    suffix = "your time" if zone else "UTC"
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"{clock} {suffix}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow {clock} {suffix}"
    if local.date() < today + timedelta(days=6):
        return f"{local:%a} {clock} {suffix}"
    return f"{local:%a} {local.day} {local:%b}, {clock} {suffix}"


def expected_answer(ticket: Ticket, *, now: datetime, zone: ZoneInfo | None) -> Expected | None:
    if ticket.status in _QUIET:
        return None
    running = {
        t.kind: t
        for t in ticket.sla_targets.filter(fulfilled_at__isnull=True, paused_since__isnull=True)
    }
    if target := running.get(SlaKind.FIRST_RESPONSE):
        if target.due_at <= now:
            return Expected("We will reply as soon as we can.", target.due_at, target.kind)
        return Expected(
            f"We will reply by {_when(target.due_at, now, zone)}", target.due_at, target.kind
        )
    if target := running.get(SlaKind.UPDATE):
        if target.due_at <= now:
            return Expected("Your next update is on its way.", target.due_at, target.kind)
        return Expected(
            f"Next update by {_when(target.due_at, now, zone)}", target.due_at, target.kind
        )
    return None
