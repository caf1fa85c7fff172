"""Triage new tickets and tickets a customer added information to. The signals arrive after the
ticket's commit; the receivers only write the pending run and nudge its task (the engine's
`triage` module picks up a lost nudge, and its sweep a lost run)."""

from __future__ import annotations

import logging

from helpdesk import clock
from helpdesk.models import User
from tickets import events

from . import work
from .models import Trigger

log = logging.getLogger(__name__)


def _enqueue(ticket_id: int, trigger: str) -> None:
    from .tasks import triage_run_task

    run = work.enqueue(ticket_id=ticket_id, trigger=trigger, now=clock.now())
    if run is None:
        return
    try:
        # The signal arrives after the ticket's commit, so the run is already committed here.
        triage_run_task.delay(run.pk)
    except Exception:  # the broker is down: the engine's next tick runs it
        log.exception("nudging the triage of ticket %s failed", ticket_id)


def on_ticket_created(sender, *, ticket_id: int, **kwargs) -> None:
    _enqueue(ticket_id, Trigger.CREATED)


def on_comment_added(sender, *, ticket_id: int, actor_id: int, is_internal: bool, **kwargs):
    if is_internal:
        return
    author = User.objects.filter(pk=actor_id).only("role").first()
    if author is not None and not author.is_agent_side:
        _enqueue(ticket_id, Trigger.CUSTOMER_INFO)


def connect() -> None:
    events.ticket_created.connect(on_ticket_created, dispatch_uid="triage-created")
    events.comment_added.connect(on_comment_added, dispatch_uid="triage-comment")
