"""Changes made on an older view of a ticket (lost updates).

Whoever edits a field says which value they saw (the page they changed it on, or the resource an
API client read). When the ticket now holds another value, someone changed that field meanwhile:
the edit is refused with a message naming who changed what, rather than silently undoing their
work. Fields the edit does not touch are never compared, so two people changing different fields
of one ticket both keep their change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.text import capfirst

from helpdesk.errors import Conflict
from helpdesk.models import User

from .models import Team, Ticket, TicketEvent


def same(a: Any, b: Any) -> bool:
    """Equal as stored: rows by primary key, everything else by value."""
    if isinstance(a, models.Model) or isinstance(b, models.Model):
        return getattr(a, "pk", a) == getattr(b, "pk", b)
    return a == b


def field_label(field: str) -> str:
    return capfirst(Ticket._meta.get_field(field).verbose_name)


def value_label(field: str, value: Any) -> str:
    """A value as people read it on the ticket page."""
    if value is None or value == "" or value == []:
        return {"assignee": "unassigned", "team": "no team"}.get(field, "empty")
    if isinstance(value, User):
        return value.display_name
    if isinstance(value, Team):
        return value.name
    if isinstance(value, Ticket):
        return value.key
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    choices = dict(Ticket._meta.get_field(field).flatchoices)
    label = str(choices.get(value, value))
    return f"P{value} · {label}" if field == "severity" else label


class StaleChange(Conflict):
    """The field changed after the editor read it; nothing was written."""

    code = "stale_change"

    def __init__(
        self,
        *,
        field: str,
        seen: Any,
        current: Any,
        wanted: Any,
        changed_by: str,
        changed_at: datetime | None,
    ):
        self.seen, self.current, self.wanted = seen, current, wanted
        self.changed_by, self.changed_at = changed_by, changed_at
        when = f" at {changed_at:%H:%M} UTC" if changed_at else ""
        label = field_label(field)
        message = (
            f"{changed_by} changed {label} to {value_label(field, current)}{when}, after you "
            f"loaded this ticket (you saw {value_label(field, seen)}). Your change to "
            f"{value_label(field, wanted)} was not saved: reload the ticket to see it as it is "
            "now, then change it again if you still mean to."
        )
        super().__init__(message, field=field)


def refuse_if_stale(ticket: Ticket, *, field: str, seen: Any, wanted: Any) -> None:
    """Raise StaleChange when `ticket` (read under its row lock) no longer holds `seen` for
    `field`, unless it already holds `wanted` (two people made the same change)."""
    current = getattr(ticket, field)
    if same(current, seen) or same(current, wanted):
        return
    last = (
        TicketEvent.objects.filter(ticket=ticket, field=field)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    actor = last.actor if last else None
    raise StaleChange(
        field=field,
        seen=seen,
        current=current,
        wanted=wanted,
        changed_by=actor.display_name if actor else "Someone",
        changed_at=last.created_at if last else None,
    )
