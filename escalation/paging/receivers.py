"""Start pages when a ticket becomes urgent. The signals arrive after the ticket's commit; the
receivers only enqueue the start. If the enqueue is lost, the engine's sweep starts the page."""

from __future__ import annotations

import logging

from escalation.models import PageReason
from tickets import events

log = logging.getLogger(__name__)


def _enqueue(ticket_id: int, reason: str) -> None:
    from escalation.paging.tasks import page_start_task

    try:
        page_start_task.delay(ticket_id, reason)
    except Exception:  # the broker is down: the sweep of the next tick starts it
        log.exception("enqueueing the page of ticket %s failed", ticket_id)


def on_ticket_created(sender, *, ticket_id: int, **kwargs) -> None:
    _enqueue(ticket_id, "urgent")


def on_ticket_changed(sender, *, ticket_id: int, changes: dict, **kwargs) -> None:
    raised = changes.get("severity", (None, None))[1] == 1
    flagged = changes.get("is_security", (None, None))[1] is True
    if raised or flagged:
        _enqueue(ticket_id, "urgent")


def connect() -> None:
    events.ticket_created.connect(on_ticket_created, dispatch_uid="paging-created")
    events.ticket_changed.connect(on_ticket_changed, dispatch_uid="paging-changed")


__all__ = ["PageReason", "connect"]
