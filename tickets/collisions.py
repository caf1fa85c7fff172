"""Collisions: the ticket changed under an open page.

The page remembers the last timeline entry it showed (its id: ids only grow, even for entries
a merge copies in at their original times). Its presence heartbeat asks whether anyone else has
added an entry since, and the page says who did what ("Casey Acme replied 12 s ago"), with a
reload. A reply sent from that page carries the same id: a reply or note written by someone else
after it means the sender has not read it, so the reply is held (nothing is written, the draft
stays) until the page has shown it; sending again then goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils.timesince import timesince

from helpdesk.errors import Conflict
from helpdesk.models import User

from .choices import EventKind
from .models import Ticket, TicketEvent

# Entries about the people told (SLA clocks, on-call pages) are not changes to the work, and a
# file sent with a reply is shown inside that reply.
_NOT_CHANGES = Q(kind__in=[EventKind.SLA, EventKind.PAGE]) | Q(
    kind=EventKind.ATTACHMENT, comment__isnull=False
)
_WRITTEN = (EventKind.REPLY, EventKind.NOTE)


@dataclass(frozen=True)
class Change:
    event: TicketEvent
    others: int  # further changes by others since the page's entry, besides this one

    @property
    def who(self) -> str:
        return self.event.actor.display_name if self.event.actor else "Someone"

    @property
    def what(self) -> str:
        from .templatetags.tickets_tags import event_summary

        kind, before = self.event.kind, self.event.before
        # A merge copies the merged ticket's replies here at their own times: say where from.
        moved = (
            f" on {before['merged_from']}"
            if isinstance(before, dict) and "merged_from" in before
            else ""
        )
        if kind == EventKind.REPLY:
            return f"replied{moved}"
        if kind == EventKind.NOTE:
            return f"added an internal note{moved}"
        return event_summary(self.event)

    def ago(self, now: datetime) -> str:
        seconds = max(0, int((now - self.event.created_at).total_seconds()))
        return f"{seconds} s" if seconds < 60 else timesince(self.event.created_at, now)


def newer_change(
    ticket: Ticket, *, seen_id: int, viewer: User, written_only: bool = False
) -> Change | None:
    """The latest entry someone other than `viewer` added after entry `seen_id`, or None. One
    query on the ticket's own entries (the timeline index leads with the ticket)."""
    qs = (
        TicketEvent.objects.filter(ticket_id=ticket.pk, id__gt=seen_id, actor__isnull=False)
        .exclude(actor_id=viewer.pk)
        .exclude(_NOT_CHANGES)
    )
    if written_only:
        qs = qs.filter(kind__in=_WRITTEN)
    rows = list(qs.select_related("actor").order_by("-id")[:21])
    if not rows:
        return None
    return Change(event=rows[0], others=len(rows) - 1)


class CrossedReply(Conflict):
    """Someone wrote on the ticket after the sender's page showed it; nothing was written."""

    code = "crossed_reply"

    def __init__(self, change: Change, *, now: datetime):
        self.change = change
        message = (
            f"{change.who} {change.what} {change.ago(now)} ago, after this page was loaded, "
            "so your message was not sent: read theirs (now on the timeline), then send yours "
            "again if it still fits. Your draft is kept."
        )
        super().__init__(message, field="body")


def refuse_if_crossed(ticket: Ticket, *, seen_id: int, author: User, now: datetime) -> None:
    """Raise CrossedReply when someone else replied or wrote a note after entry `seen_id`.
    Called under the ticket's row lock, so two replies sent at once are ordered."""
    change = newer_change(ticket, seen_id=seen_id, viewer=author, written_only=True)
    if change is not None:
        raise CrossedReply(change, now=now)
