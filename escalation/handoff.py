"""The on-call engine module: keeps every schedule materialised to its horizon, and at each change
of hands sends the incoming and outgoing engineers a handoff report through the outbox.

A shift row's `starts_at` is its handoff's due time; `handed_off_at` is set in the transaction that
writes the notices, so a crash before commit redoes the handoff and one after commit never repeats
it (the outbox's dedup keys make a repeat harmless anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Min, Q
from django.urls import reverse

from escalation.models import HandoffNote, Schedule, Shift
from escalation.schedules import HORIZON_WEEKS
from escalation.services import schedule_materialise
from helpdesk import notifications, outbox
from helpdesk.models import User
from tickets.choices import OPEN_STATUSES, Severity, Status
from tickets.selectors import tickets_visible_to

HANDOFF = "oncall_handoff"
KIND = notifications.Kind(HANDOFF, "On-call handoff reports (my shifts start or end)", True, False)
BATCH = 100
SCHEDULES_PER_TICK = 5
EXTEND_BEFORE = timedelta(weeks=1)  # re-materialise once less than this is left ahead
WAITING_TOO_LONG = timedelta(hours=24)
LISTED = 10  # tickets listed per section; the count says how many there are


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]
    count: int | None = None


# Other parts of on-call (active pages, incidents) add their own section of the report here:
# a callable (recipient, now) -> Section or None, called inside the engine's transaction.
REPORT_SECTIONS: list[Callable[[User, datetime], Section | None]] = []


def register_section(build: Callable[[User, datetime], Section | None]) -> None:
    if build not in REPORT_SECTIONS:
        REPORT_SECTIONS.append(build)


def _ticket_line(ticket) -> str:
    return f"{ticket.key} · {Severity(ticket.severity).label} · {ticket.title}"


def urgent_tickets(user: User, now: datetime) -> Section:
    qs = tickets_visible_to(user).filter(
        status__in=OPEN_STATUSES, severity__in=(Severity.P1, Severity.P2)
    )
    listed = list(qs.order_by("severity", "-updated_at")[:LISTED])
    return Section("Open P1 and P2 tickets", [_ticket_line(t) for t in listed], qs.count())


def stale_waiting_tickets(user: User, now: datetime) -> Section:
    # Untouched for a day while waiting on the customer: time to chase them or close.
    qs = tickets_visible_to(user).filter(
        status=Status.WAITING_ON_CUSTOMER, updated_at__lte=now - WAITING_TOO_LONG
    )
    listed = list(qs.order_by("updated_at")[:LISTED])
    return Section(
        "Waiting on the customer for more than 24 hours",
        [_ticket_line(t) for t in listed],
        qs.count(),
    )


def report_text(*, shift: Shift, user: User, notes: list[HandoffNote], now: datetime) -> str:
    sections = [urgent_tickets(user, now), stale_waiting_tickets(user, now)]
    sections += [s for build in REPORT_SECTIONS if (s := build(user, now)) is not None]
    parts = []
    for section in sections:
        heading = section.title + (f" ({section.count})" if section.count is not None else "")
        parts.append("\n".join([heading, *(f"- {line}" for line in section.lines or ["none"])]))
    written = [f"- {n.author.display_name if n.author else 'someone'}: {n.body}" for n in notes]
    parts.append("\n".join(["Handoff notes", *(written or ["none"])]))
    return "\n\n".join(parts)


def _notices(shift: Shift, outgoing: Shift | None, notes: list[HandoffNote], now: datetime):
    url = reverse("oncall_schedule", args=[shift.schedule_id])
    name = shift.schedule.name
    people = []
    if shift.user is not None:
        people.append((shift.user, f"You are now on call for {name}"))
    if outgoing is not None and outgoing.user is not None:
        incoming = shift.user.display_name if shift.user else "nobody (a gap in coverage)"
        people.append((outgoing.user, f"Your on-call shift for {name} ended; {incoming} took over"))
    for user, title in people:
        body = report_text(shift=shift, user=user, notes=notes, now=now)
        yield outbox.Notice(user, title, body, url, f"handoff:{shift.pk}:{user.pk}", HANDOFF)


def _hand_off(shift: Shift, now: datetime) -> None:
    outgoing = (
        Shift.objects.select_related("user")
        .filter(schedule_id=shift.schedule_id, ends_at=shift.starts_at)
        .first()
    )
    if shift.ends_at > now and (outgoing is None or outgoing.user_id != shift.user_id):
        notes = list(
            HandoffNote.objects.select_related("author")
            .filter(schedule_id=shift.schedule_id, handed_off_in__isnull=True)
            .order_by("created_at")
        )
        outbox.send(notices=list(_notices(shift, outgoing, notes, now)), now=now)
        HandoffNote.objects.filter(pk__in=[n.pk for n in notes]).update(handed_off_in=shift)
    # A shift that is already over when the engine reaches it (the engine was stopped) is only
    # marked: a report about a shift nobody is on any more would mislead.
    shift.handed_off_at = now
    shift.save(update_fields=["handed_off_at"])


def extend_horizons(now: datetime) -> int:
    due = Schedule.objects.filter(
        Q(materialised_until__isnull=True)
        | Q(materialised_until__lt=now + timedelta(weeks=HORIZON_WEEKS) - EXTEND_BEFORE)
    ).order_by(F("materialised_until").asc(nulls_first=True))[:SCHEDULES_PER_TICK]
    schedules = list(due)
    for schedule in schedules:
        schedule_materialise(schedule=schedule, now=now)
    return len(schedules)


def run(now: datetime) -> int:
    """One engine pass; runs inside the engine's transaction under the module's advisory lock."""
    handled = extend_horizons(now)
    due = list(
        Shift.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "schedule")
        .filter(handed_off_at__isnull=True, starts_at__lte=now)
        .order_by("starts_at")[:BATCH]
    )
    for shift in due:
        _hand_off(shift, now)
    return handled + len(due)


def oldest_due() -> datetime | None:
    return Shift.objects.filter(handed_off_at__isnull=True).aggregate(due=Min("starts_at"))["due"]
