"""Celery tasks and engine modules of the ticket core."""

from __future__ import annotations

from helpdesk import engine
from tickets.metrics import engine as metrics_engine
from tickets.sla import calendars
from tickets.sla import engine as sla_engine

engine.register("sla", sla_engine.run, oldest_due=sla_engine.oldest_due)
# The dashboard's rollups: derived figures, no obligation, so no lag to report.
engine.register("rollups", metrics_engine.run)
calendars.connect()
