"""Writing to the outbox. Call inside the transaction that decides to notify; delivery is nudged
after commit and re-nudged by the engine tick if the nudge is lost (DESIGN.md section 4)."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction

from helpdesk.models import (
    Notification,
    OutboundChannel,
    OutboundMessage,
    User,
    WebhookEndpoint,
)
from helpdesk.tasks import deliver_outbound_task


def _insert_once(model, **fields):
    """Insert unless a row with this dedup_key exists; the new row, or None."""
    try:
        with transaction.atomic():  # a savepoint: a duplicate must not spoil the caller's work
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def enqueue(
    *, channel: str, recipient: str, dedup_key: str, now: datetime, subject: str = "",
    body: str = "", payload: dict | None = None,
) -> bool:
    message = _insert_once(
        OutboundMessage, channel=channel, recipient=recipient, subject=subject, body=body,
        payload=payload or {}, dedup_key=dedup_key, next_attempt_at=now, created_at=now,
        last_nudged_at=now,
    )
    if message is None:
        return False
    # A nudge, not the obligation: if it is lost, the engine tick nudges again.
    transaction.on_commit(partial(deliver_outbound_task.delay, message.pk))
    return True


def notify_user(
    *, user: User, title: str, body: str, url: str, dedup_key: str, now: datetime,
    email: bool = True,
) -> None:
    """The bell, and an email when the user has an address."""
    _insert_once(
        Notification, user=user, title=title[:200], body=body[:500], url=url,
        dedup_key=f"{dedup_key}:inapp", created_at=now,
    )
    if email and user.email:
        link = settings.HELPDESK_BASE_URL.rstrip("/") + url
        enqueue(
            channel=OutboundChannel.EMAIL, recipient=user.email, subject=title,
            body=f"{body}\n\n{link}\n", dedup_key=f"{dedup_key}:email", now=now,
        )


def publish(*, event: str, text: str, data: dict, dedup_key: str, now: datetime) -> None:
    """Send an event to every webhook that subscribed to it."""
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if endpoint.wants(event):
            enqueue(
                channel=OutboundChannel.WEBHOOK, recipient=endpoint.url,
                dedup_key=f"{dedup_key}:webhook:{endpoint.pk}", now=now,
                payload={"event": event, "text": text, "data": data, "endpoint": endpoint.pk},
            )

