"""The engine module that keeps the rollups current: re-rolls the counts of the days the logs
touched since its watermark and of today, and today's backlog as it stands. A day's backlog is
the last one rolled before the day ended (at most EVERY early); a day the engine never rolled,
or whose status history changed afterwards, is rolled from the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max, Min

from helpdesk import engine

from ..models import RollupWatermark, SlaEvent, TicketEvent
from . import rollup

NAME = "tickets"
# Today's backlog reads every open ticket: every few minutes is current enough for a dashboard,
# and keeps the ticks in between for the timers.
EVERY = timedelta(minutes=5)
PATIENCE = timedelta(minutes=30)
# A log row written with an older date (imported history) re-rolls at most this far back per
# run; rebuild_rollups covers anything older.
FURTHEST = timedelta(days=400)


def run(now: datetime) -> int:
    """Called by the engine under its advisory lock, in its transaction. Returns the number of
    days rolled."""
    mark, _ = RollupWatermark.objects.select_for_update().get_or_create(name=NAME)
    if mark.rolled_at and now - mark.rolled_at < EVERY:
        return 0
    if mark.rolled_at and now - mark.rolled_at < PATIENCE and engine.behind(now):
        # Timers come first: while some are due, the figures wait (up to PATIENCE old).
        return 0
    today = now.date()
    events = TicketEvent.objects.filter(pk__gt=mark.ticket_event_id).aggregate(
        last=Max("pk"), earliest=Min("created_at")
    )
    sla = SlaEvent.objects.filter(pk__gt=mark.sla_event_id).aggregate(
        last=Max("pk"), earliest=Min("at")
    )
    touched = [d.date() for d in (events["earliest"], sla["earliest"]) if d is not None]
    floor = today - FURTHEST
    first = max(floor, min([*touched, mark.rolled_through or today, today]))
    rollup.roll_flows(first=first, last=today)
    unrolled = mark.rolled_through + timedelta(days=1) if mark.rolled_through else today
    backlog_first = max(floor, min([*touched, unrolled]))
    yesterday = today - timedelta(days=1)
    if backlog_first <= yesterday:
        rollup.roll_backlog(first=backlog_first, last=yesterday)
    rollup.roll_backlog_now(today=today)
    mark.ticket_event_id = events["last"] or mark.ticket_event_id
    mark.sla_event_id = sla["last"] or mark.sla_event_id
    mark.rolled_through = today
    mark.rolled_at = now
    mark.save()
    return (today - first).days + 1


def mark_rebuilt(*, now: datetime) -> None:
    """After a full rebuild: everything logged so far is rolled."""
    RollupWatermark.objects.update_or_create(
        name=NAME,
        defaults={
            "ticket_event_id": TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
            "sla_event_id": SlaEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
            "rolled_through": now.date(),
            "rolled_at": now,
        },
    )
