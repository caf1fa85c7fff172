"""Celery tasks and the engine module of postmortems."""

from __future__ import annotations

from celery import shared_task

from helpdesk import clock, engine

from . import engine as postmortem_engine
from . import services

engine.register("postmortems", postmortem_engine.run, oldest_due=postmortem_engine.oldest_due)


@shared_task(name="postmortems.postmortem_open_draft_task", ignore_result=True, acks_late=True)
def postmortem_open_draft_task(ticket_id: int) -> None:
    services.postmortem_open_draft(ticket_id=ticket_id, now=clock.now())
