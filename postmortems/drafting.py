"""The first draft of a postmortem's timeline, read from the ticket's own timeline and its
children's (the linked tickets of the incident): creation, severity changes, pages sent and
acknowledged, escalations, customer updates, status changes, the workaround and the resolution.

Pages and escalations are read from the events escalation writes on the ticket
(tickets.services.ticket_record_page_step / ticket_record_escalation_step), so this app never
reads escalation's own tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from helpdesk.models import display_name
from tickets.choices import EventKind, Status
from tickets.models import Ticket, TicketEvent

KINDS = (
    EventKind.CREATED,
    EventKind.SEVERITY,
    EventKind.PAGE,
    EventKind.ESCALATION,
    EventKind.REPLY,
    EventKind.STATUS,
    EventKind.FIELD,
)
WORKAROUND_FIELDS = ("workaround", "workaround_available")
EXCERPT = 200
# Entries that usually matter most in the review start starred; the owner changes that.
STARRED_KINDS = {"created", "acknowledged", "workaround", "resolved"}


@dataclass(frozen=True)
class Drafted:
    at: datetime
    kind: str
    text: str
    event_id: int
    ticket_key: str
    starred: bool


def _actor(event: TicketEvent, default: str) -> str:
    actor = event.actor
    return display_name(actor.username, actor.first_name, actor.last_name) if actor else default


# Markdown's emphasis, code and heading marks, which read as noise in a one-line excerpt.
MARKUP = re.compile(r"(\*\*|__|`|^#+\s|(?<=\s)#+\s)")


def _excerpt(text: str) -> str:
    text = " ".join(MARKUP.sub("", text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _label(value) -> str:
    if isinstance(value, dict):
        return str(value.get("label", ""))
    if value in Status.values:
        return Status(value).label
    return "" if value is None else str(value)


def _describe(event: TicketEvent, key: str, is_child: bool) -> tuple[str, str] | None:
    """(kind, text) of one event, or None when it has no place in an incident's timeline."""
    who = _actor(event, "Support")
    kind = event.kind
    if kind == EventKind.CREATED:
        what = "Linked ticket" if is_child else "Ticket"
        return "created", f"{what} {key} opened by {who}"
    if kind == EventKind.SEVERITY:
        before, after = event.before, event.after
        return "severity", f"Severity changed from P{before} to P{after} by {who}"
    if kind in (EventKind.PAGE, EventKind.ESCALATION):
        summary = str((event.after or {}).get("summary", "")).strip()
        if not summary:
            return None
        label = "acknowledged" if summary.startswith("acknowledged") else str(kind)
        if kind == EventKind.PAGE and label != "acknowledged":
            label = "page"
        # Steps nobody took by hand (the escalation paging a level) read as their summary.
        text = (
            f"{_actor(event, '')} {summary}" if event.actor else summary[:1].upper() + summary[1:]
        )
        return label, _excerpt(text)
    if kind == EventKind.REPLY:
        if event.comment is None or not event.actor or not event.actor.is_agent_side:
            return None
        return "customer_update", _excerpt(f"Customer update by {who}: {event.comment.body}")
    if kind == EventKind.STATUS:
        if event.after == Status.RESOLVED:
            return "resolved", f"{key} resolved by {who}"
        return "status", f"{key}: {_label(event.before)} → {_label(event.after)} ({who})"
    if kind == EventKind.FIELD and event.field in WORKAROUND_FIELDS:
        if event.field == "workaround" and event.after:
            return "workaround", _excerpt(f"Workaround recorded by {who}: {event.after}")
        if event.field == "workaround_available" and event.after is True:
            return "workaround", f"Workaround available ({who})"
    return None


def draft(ticket: Ticket) -> list[Drafted]:
    """The entries, oldest first. Security children join only a security incident's timeline,
    so a postmortem never shows more than its own ticket's readers may see."""
    children = Ticket.objects.filter(parent=ticket)
    if not ticket.is_security:
        children = children.filter(is_security=False)
    keys = {ticket.pk: ticket.key}
    keys.update({child.pk: child.key for child in children.only("pk", "number")})
    events = (
        TicketEvent.objects.filter(ticket_id__in=keys, kind__in=KINDS)
        .select_related("actor", "comment")
        .order_by("created_at", "id")
    )
    entries = []
    for event in events:
        described = _describe(event, keys[event.ticket_id], event.ticket_id != ticket.pk)
        if described is None:
            continue
        kind, text = described
        entries.append(
            Drafted(
                at=event.created_at,
                kind=kind,
                text=text[:500],
                event_id=event.pk,
                ticket_key=keys[event.ticket_id],
                starred=kind in STARRED_KINDS,
            )
        )
    return entries
