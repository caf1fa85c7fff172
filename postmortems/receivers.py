"""Open a postmortem draft when a ticket is resolved. The signal arrives after the ticket's
commit; the receiver only enqueues the draft. If the enqueue is lost, the engine's sweep opens
it."""

from __future__ import annotations

import logging

from tickets import events
from tickets.choices import Status

log = logging.getLogger(__name__)


def on_status_changed(sender, *, ticket_id: int, after: str, **kwargs) -> None:
    if after != Status.RESOLVED:
        return
    from .tasks import postmortem_open_draft_task

    try:
        postmortem_open_draft_task.delay(ticket_id)
    except Exception:  # the broker is down: the engine's sweep opens the draft
        log.exception("enqueueing the postmortem draft of ticket %s failed", ticket_id)


def connect() -> None:
    events.ticket_status_changed.connect(on_status_changed, dispatch_uid="postmortem-resolved")
