"""Mail that came in. Each message is stored raw before anything reads it, so a message that
cannot be parsed or routed is kept (held) with the reason, never lost."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "Received"  # stored, not ingested yet (or ingest crashed)
    TICKETED = "ticketed", "Opened a ticket"
    COMMENTED = "commented", "Added to a ticket"
    IGNORED = "ignored", "Ignored"
    HELD = "held", "Held for review"
    DISCARDED = "discarded", "Discarded"


class Reason(models.TextChoices):
    """Why a message was ignored or held."""

    AUTO_REPLY = "auto_reply", "Auto-reply"
    BOUNCE = "bounce", "Bounce (delivery status notification)"
    LIST = "list", "Mailing-list or bulk mail"
    LOOP = "loop", "Our own message came back"
    DUPLICATE = "duplicate", "Message-ID seen before"
    UNKNOWN_SENDER = "unknown_sender", "Unknown sender"
    NOT_A_CONTACT = "not_a_contact", "Sender may not see the ticket"
    TICKET_CLOSED = "ticket_closed", "Reply to a closed ticket"
    NO_SENDER = "no_sender", "No sender address"
    ERROR = "error", "Could not be processed"


class InboundMessage(models.Model):
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    # Unique among the messages that carry one: a copy delivered twice (IMAP and a pipe, or a
    # retry after a crash) is recorded as a duplicate and never opens a second ticket.
    # NULL, not "": messages without one must not collide in the unique constraint.
    message_id = models.CharField(max_length=998, null=True, blank=True)  # noqa: DJ001
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=100, help_text="Where it came from: stdin, imap:<box>.")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Plain ids, like the outbox's: the row outlives a deleted ticket or comment.
    ticket_id = models.BigIntegerField(null=True, blank=True)
    comment_id = models.BigIntegerField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The held list, newest first (keyset on received_at, id); also its count.
            models.Index(
                fields=["-received_at", "-id"],
                condition=models.Q(status="held"),
                name="inbound_held_newest",
            ),
            # A ticket's thread: the Message-IDs received for it, for References on replies.
            models.Index(
                fields=["ticket_id"],
                condition=models.Q(ticket_id__isnull=False),
                name="inbound_by_ticket",
            ),
            # What the engine still has to ingest, oldest first.
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(status="received"),
                name="inbound_received_oldest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=models.Q(message_id__isnull=False, duplicate_of__isnull=True),
                name="inbound_message_id_once",
            )
            # Also the index that matches replies to the messages we received.
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject} ({self.status})"
