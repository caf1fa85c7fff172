"""Rebuild the dashboard's rollups from the timeline and the SLA log."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min

from helpdesk import clock
from tickets.metrics import engine, rollup
from tickets.models import TicketEvent


class Command(BaseCommand):
    help = "Recompute the dashboard rollups (all history, or the days from --since) from the logs."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First UTC day to rebuild (YYYY-MM-DD).")

    def handle(self, *args, since: str | None = None, **options):
        now = clock.now()
        started = time.monotonic()
        if since:
            try:
                first = date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since: “{since}” is not a date like 2026-01-31.") from exc
        else:
            earliest = TicketEvent.objects.aggregate(m=Min("created_at"))["m"]
            first = earliest.date() if earliest else now.date()
        today = now.date()
        # Month by month, each in its own transaction: a rebuild of years never holds one
        # huge transaction, and the dashboard reads finished months while it runs.
        day = first
        while day <= today:
            next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = min(next_month - timedelta(days=1), today)
            rollup.roll_flows(first=day, last=last)
            day = next_month
        # The backlog in one pass: every ticket's status history is read once, not per month.
        rollup.roll_backlog(first=first, last=today, everything=since is None)
        engine.mark_rebuilt(now=now)
        self.stdout.write(f"Rolled {first}..{today} in {time.monotonic() - started:.1f} s.")
