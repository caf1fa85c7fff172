"""Engine modules of on-call."""

from __future__ import annotations

from escalation import handoff
from helpdesk import engine

engine.register("oncall", handoff.run, oldest_due=handoff.oldest_due)
