"""Platform models: users and their roles, API tokens, engine state."""

from __future__ import annotations

import hashlib
import secrets
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Upper


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    ENGINEER = "engineer", "Engineer"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


# In this order wherever a query filters on it, so PostgreSQL matches the query to the partial
# index below (its predicate must be the same expression).
AGENT_SIDE_ROLES = (Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.ADMIN)
STAFF_ROLES = frozenset(AGENT_SIDE_ROLES)


class User(AbstractUser):
    """Everyone who logs in. The role decides which side of the product they see."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)

    class Meta:
        db_table = "helpdesk_user"
        indexes = [
            # Agent pickers on every queue and ticket page read the few hundred agents among
            # (many more) customer contacts, in name order, from this index alone.
            models.Index(
                fields=["first_name", "last_name", "username"],
                condition=models.Q(role__in=AGENT_SIDE_ROLES, is_active=True),
                name="user_agent_side_by_name",
            ),
            # Mail from an address finds its contact (email__iexact compiles to UPPER(email)).
            models.Index(Upper("email"), name="user_email_upper"),
        ]

    @property
    def is_agent_side(self) -> bool:
        """Agents, engineers, managers and admins work the queue; customers use the portal."""
        return self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def display_name(self) -> str:
        return display_name(self.username, self.first_name, self.last_name)


def display_name(username: str, first_name: str, last_name: str) -> str:
    """The full name, else the username: how a person is shown everywhere, also where lists read
    plain values instead of users."""
    return f"{first_name} {last_name}".strip() or username


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the raw value is shown once."""

    PREFIX = "hd_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} / {self.name}"

    @classmethod
    def issue(cls, *, user: User, name: str = "default") -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw))
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        # key_hash is unique: no ORDER BY (`.first()` would add one to every API request).
        found = list(
            cls.objects.select_related("user").filter(
                key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True
            )[:1]
        )
        return found[0] if found else None


class EngineState(models.Model):
    """One row per engine component: when it last ran. /healthz reads it."""

    name = models.CharField(max_length=64, primary_key=True)
    last_tick_at = models.DateTimeField()
    last_duration_ms = models.FloatField(default=0)

    def __str__(self) -> str:
        return self.name


class OutboundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown"  # the sender died mid-call; not blindly resent


class OutboundChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class OutboundMessage(models.Model):
    """The outbox: every message that leaves the system, written in the transaction that decided
    to send it. `dedup_key` makes a second decision to send the same thing a no-op."""

    channel = models.CharField(max_length=16, choices=OutboundChannel.choices)
    recipient = models.CharField(max_length=500, help_text="Email address or webhook URL.")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # A constraint rather than unique=True: the same guarantee without the extra
    # varchar_pattern_ops index, which every insert would maintain for no query.
    dedup_key = models.CharField(max_length=200)
    status = models.CharField(
        max_length=16, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_nudged_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbound_pending_due",
            ),
            models.Index(
                fields=["claimed_until"],
                condition=models.Q(status="sending"),
                name="outbound_sending_deadline",
            ),
            # The email already sent about a ticket, which a new one names in References.
            models.Index(
                KeyTransform("ticket_id", "payload"),
                condition=models.Q(channel="email"),
                name="outbound_email_ticket",
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["dedup_key"], name="outbound_dedup_key")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable per outbox row: receivers drop a retried copy of the same message. On the
        sender's domain: spam filters score a Message-ID without a full domain name."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
        domain = domain or "helpdesk.localhost"
        return f"<outbox-{self.pk}@{domain}>"


class Notification(models.Model):
    """An in-app notification (the bell). Unique per dedup key, like the outbox."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What it is about (helpdesk.notifications.KINDS), for the user's email preference.
    kind = models.CharField(max_length=40, blank=True)
    # The ticket it is about, as a plain id: the platform knows no app's models. The tickets
    # app's access policy filters the bell on it, so a notice leaves the bell of someone who can
    # no longer see its ticket (a contact who moved to another organization).
    ticket_id = models.BigIntegerField(null=True, blank=True)
    # A constraint rather than unique=True: the same guarantee without the extra
    # varchar_pattern_ops index, which every insert would maintain for no query.
    dedup_key = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_time"),
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["dedup_key"], name="notification_dedup_key")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Whether a user also gets one kind of notice by email. No row: the kind's default.
    In-app notices are always written: the bell is the record of what one was told."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=40)
    email = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.kind}: {'email' if self.email else 'in-app only'}"


class WebhookEndpoint(models.Model):
    """Where events are POSTed as signed JSON (chat tools accept the `text` field)."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, help_text="Shared secret for the HMAC signature.")
    events = models.JSONField(
        default=list, blank=True, help_text='Event names, e.g. ["sla.breached"]; empty = all.'
    )
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)
