"""The periodic IMAP poll (beat's "mail-imap-poll"). Nothing to do when no mailbox is set."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import imap


@shared_task(name="mail.imap_poll_task", ignore_result=True)
def imap_poll_task() -> int:
    results = imap.poll_all()
    # A full batch means more is waiting: drain it now rather than one batch per beat period.
    if any(r.stored >= settings.HELPDESK_IMAP_BATCH for r in results):
        imap_poll_task.delay()
    return sum(r.stored for r in results)
