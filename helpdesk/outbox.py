"""Writing to the outbox. Call inside the transaction that decides to notify; delivery is nudged
after commit and re-nudged by the engine tick if the nudge is lost (DESIGN.md section 4).

Every row has a unique dedup key, so deciding twice to send the same thing sends it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction

from helpdesk.models import (
    Notification,
    OutboundChannel,
    OutboundMessage,
    User,
    WebhookEndpoint,
)
from helpdesk.tasks import deliver_outbound_task


class Notice(NamedTuple):
    """A message for one person: the bell, and an email when they have an address."""

    user: User
    title: str
    body: str
    url: str
    dedup_key: str


class Event(NamedTuple):
    """Something that happened, for the webhooks that subscribed to it."""

    name: str
    text: str  # chat tools (Slack, Mattermost, Teams) show this field as the message
    dedup_key: str
    data: dict


def _nudge_after_commit(dedup_keys: list[str]) -> None:
    """Delivery tasks for the rows just written; if a nudge is lost, the engine nudges again."""
    if not dedup_keys:
        return

    def nudge() -> None:
        pks = OutboundMessage.objects.filter(
            dedup_key__in=dedup_keys, status="pending"
        ).values_list("pk", flat=True)
        for pk in pks:
            deliver_outbound_task.delay(pk)

    transaction.on_commit(nudge)


def _messages(notices: Iterable[Notice], events: Iterable[Event], now: datetime):
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    for n in notices:
        if n.user.email:
            yield OutboundMessage(
                channel=OutboundChannel.EMAIL, recipient=n.user.email, subject=n.title[:300],
                body=f"{n.body}\n\n{base}{n.url}\n", dedup_key=f"{n.dedup_key}:email",
                next_attempt_at=now, created_at=now, last_nudged_at=now,
            )
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True)) if events else []
    for e in events:
        for endpoint in endpoints:
            if endpoint.wants(e.name):
                yield OutboundMessage(
                    channel=OutboundChannel.WEBHOOK, recipient=endpoint.url,
                    dedup_key=f"{e.dedup_key}:webhook:{endpoint.pk}", next_attempt_at=now,
                    created_at=now, last_nudged_at=now,
                    payload={"event": e.name, "text": e.text, "data": e.data,
                             "endpoint": endpoint.pk},
                )


def send(*, notices: Iterable[Notice] = (), events: Iterable[Event] = (), now: datetime) -> None:
    """Write notifications and outbox rows in bulk (a few statements however many there are)."""
    notices, events = list(notices), list(events)
    Notification.objects.bulk_create(
        [
            Notification(user=n.user, title=n.title[:200], body=n.body[:500], url=n.url,
                         dedup_key=f"{n.dedup_key}:inapp", created_at=now)
            for n in notices
        ],
        ignore_conflicts=True,
    )
    messages = list(_messages(notices, events, now))
    OutboundMessage.objects.bulk_create(messages, ignore_conflicts=True)
    _nudge_after_commit([m.dedup_key for m in messages])
