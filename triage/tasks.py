"""Celery task and engine module of triage."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from helpdesk import clock, engine

from . import work

engine.register("triage", work.run, oldest_due=work.oldest_due)


@shared_task(name="triage.triage_run_task", ignore_result=True, acks_late=True)
def triage_run_task(run_id: int) -> None:
    """Triage one pending run now; returns quietly if it is gone, done, or being run."""
    with transaction.atomic():
        run = work.claim_one(run_id)
        if run is not None:
            work.process(run, now=clock.now())
