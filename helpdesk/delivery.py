"""Delivering outbox rows: claim with a conditional update, send, record the outcome.

A row is claimed `pending -> sending` with a deadline; only the claimant sends it. A sender that
dies mid-call leaves the row `sending` past its deadline; the engine then decides (recover_stuck):
email and webhooks carry the outbox id as Message-ID / Idempotency-Key, so they may be retried.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from helpdesk import clock
from helpdesk.channels import SENDERS, TransientError
from helpdesk.models import OutboundMessage, OutboundStatus

log = logging.getLogger(__name__)
RENUDGE_AFTER = timedelta(seconds=30)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter: about 10 s, 20 s, 40 s … capped at 10 minutes."""
    base = min(600, 10 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def claim(pk: int, *, now: datetime) -> OutboundMessage | None:
    deadline = now + timedelta(seconds=settings.HELPDESK_OUTBOX_SEND_DEADLINE_SECONDS)
    claimed = OutboundMessage.objects.filter(
        pk=pk, status=OutboundStatus.PENDING, next_attempt_at__lte=now
    ).update(status=OutboundStatus.SENDING, claimed_until=deadline, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    return OutboundMessage.objects.get(pk=pk)


def deliver(pk: int) -> str:
    """Send one row if it is ours to send. Returns what happened, for logs and tests."""
    now = clock.now()
    message = claim(pk, now=now)
    if message is None:
        return "not-claimed"
    try:
        SENDERS[message.channel](message)
    except TransientError as exc:
        return _retry_or_fail(message, str(exc))
    except Exception as exc:  # a terminal failure: record it, never retry blindly
        log.warning("outbox %s failed: %s", message.pk, exc)
        _finish(message, OutboundStatus.FAILED, error=str(exc))
        return "failed"
    _finish(message, OutboundStatus.SENT)
    return "sent"


def _finish(message: OutboundMessage, status: str, *, error: str = "") -> None:
    OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.SENDING).update(
        status=status,
        claimed_until=None,
        last_error=error[:500],
        sent_at=clock.now() if status == OutboundStatus.SENT else None,
    )


def _retry_or_fail(message: OutboundMessage, error: str) -> str:
    if message.attempts >= settings.HELPDESK_OUTBOX_MAX_ATTEMPTS:
        _finish(message, OutboundStatus.FAILED, error=error)
        return "failed"
    # No long countdown in the broker: the engine nudges the row again once it is due.
    OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.SENDING).update(
        status=OutboundStatus.PENDING,
        claimed_until=None,
        last_error=error[:500],
        next_attempt_at=clock.now() + backoff(message.attempts),
        last_nudged_at=None,
    )
    return "retry"


def recover_and_renudge(now: datetime) -> int:
    """The engine's outbox module: rows whose sender died, and pending rows whose nudge was lost.

    Runs inside the engine's transaction under its advisory lock.
    """
    stuck = list(
        OutboundMessage.objects.select_for_update(skip_locked=True)
        .filter(status=OutboundStatus.SENDING, claimed_until__lt=now)
        .order_by("claimed_until")[:BATCH]
    )
    for message in stuck:
        # Email and webhooks are idempotent at the receiver (Message-ID / Idempotency-Key).
        retry = message.attempts < settings.HELPDESK_OUTBOX_MAX_ATTEMPTS
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.PENDING if retry else OutboundStatus.UNKNOWN,
            claimed_until=None,
            next_attempt_at=now,
            last_nudged_at=now,
            last_error="sender died mid-delivery",
        )
    lost = list(
        OutboundMessage.objects.select_for_update(skip_locked=True)
        .filter(status=OutboundStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(last_nudged_at__isnull=True) | Q(last_nudged_at__lte=now - RENUDGE_AFTER))
        .values_list("pk", flat=True)[:BATCH]
    )
    ids = [m.pk for m in stuck if m.attempts < settings.HELPDESK_OUTBOX_MAX_ATTEMPTS] + lost
    if lost:
        OutboundMessage.objects.filter(pk__in=lost).update(last_nudged_at=now)
    if ids:
        from helpdesk.tasks import deliver_outbound_task  # tasks imports this module

        transaction.on_commit(lambda: [deliver_outbound_task.delay(pk) for pk in ids])
    return len(ids)


def oldest_overdue() -> datetime | None:
    row = (
        OutboundMessage.objects.filter(status=OutboundStatus.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return row
