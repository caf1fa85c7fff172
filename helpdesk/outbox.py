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

from helpdesk import bulk, notifications
from helpdesk.models import (
    Notification,
    OutboundChannel,
    OutboundMessage,
    OutboundStatus,
    User,
    WebhookEndpoint,
)
from helpdesk.tasks import deliver_outbound_task


class Notice(NamedTuple):
    """A message for one person: the bell, and an email when they have an address and want
    this kind by email (helpdesk.notifications)."""

    user: User
    title: str
    body: str
    url: str
    dedup_key: str
    kind: str = ""
    ticket_id: int | None = None
    # What the notice is about (a comment's id, a timeline event's id), kept in the email row's
    # payload so the renderer registered for its kind can draw the mail from the ticket itself.
    refs: dict | None = None


class Event(NamedTuple):
    """Something that happened, for the webhooks that subscribed to it."""

    name: str
    text: str  # chat tools (Slack, Mattermost, Teams) show this field as the message
    dedup_key: str
    data: dict


def _nudge_after_commit(pks: list[int]) -> None:
    """Delivery tasks for the rows just written; if a nudge is lost, the engine nudges again."""
    if pks:
        transaction.on_commit(lambda: [deliver_outbound_task.delay(pk) for pk in pks])


def _email_payload(n: Notice) -> dict:
    """The kind and ticket of an email: how helpdesk.channels picks its renderer, and how a
    reply to it (In-Reply-To our Message-ID) finds its ticket again."""
    if not n.kind:
        return {}
    return {"kind": n.kind, "ticket_id": n.ticket_id, "url": n.url, **(n.refs or {})}


def _messages(notices: Iterable[Notice], events: Iterable[Event]):
    """The varying columns of each message; send() adds status and times for all of them."""
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    by_email = notifications.email_wanted((n.user.pk, n.kind) for n in notices if n.user.email)
    for n in notices:
        if (n.user.pk, n.kind) in by_email:
            yield OutboundMessage(
                channel=OutboundChannel.EMAIL,
                recipient=n.user.email,
                subject=n.title[:300],
                body=f"{n.body}\n\n{base}{n.url}\n",
                dedup_key=f"{n.dedup_key}:email",
                payload=_email_payload(n),
            )
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True)) if events else []
    for e in events:
        for endpoint in endpoints:
            if endpoint.wants(e.name):
                yield OutboundMessage(
                    channel=OutboundChannel.WEBHOOK,
                    recipient=endpoint.url,
                    dedup_key=f"{e.dedup_key}:webhook:{endpoint.pk}",
                    payload={
                        "event": e.name,
                        "text": e.text,
                        "data": e.data,
                        "endpoint": endpoint.pk,
                    },
                )


NOTIFICATION_FIELDS = ("user", "title", "body", "url", "kind", "ticket_id", "dedup_key")
MESSAGE_FIELDS = ("channel", "recipient", "subject", "body", "payload", "dedup_key")


def send(*, notices: Iterable[Notice] = (), events: Iterable[Event] = (), now: datetime) -> None:
    """Write notifications and outbox rows in bulk: two statements however many there are."""
    notices, events = list(notices), list(events)
    bulk.insert(
        Notification,
        [
            Notification(
                user=n.user,
                title=n.title[:200],
                body=n.body[:500],
                url=n.url,
                kind=n.kind,
                ticket_id=n.ticket_id,
                dedup_key=f"{n.dedup_key}:inapp",
            )
            for n in notices
        ],
        NOTIFICATION_FIELDS,
        constants={"created_at": now},
        ignore_conflicts=True,
    )
    enqueue(list(_messages(notices, events)), now=now)


def enqueue(messages: list[OutboundMessage], *, now: datetime) -> None:
    """Outbox rows drawn by their writer (channel, recipient, subject, body, payload, dedup
    key), pending from `now`, in one statement; delivery is nudged after commit. A row whose
    dedup key is already there (the same decision taken twice) is skipped, with its own nudge."""
    inserted = bulk.insert(
        OutboundMessage,
        messages,
        MESSAGE_FIELDS,
        constants={
            "status": OutboundStatus.PENDING,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now,
            "last_nudged_at": now,
            "created_at": now,
        },
        ignore_conflicts=True,
        returning=("id",),
    )
    _nudge_after_commit([pk for (pk,) in inserted])
