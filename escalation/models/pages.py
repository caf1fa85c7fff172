"""Escalation policies, pages and the single-use links that acknowledge or resolve them.

A policy is configuration (ordered levels, a repeat count). A page freezes the policy's levels as
JSON when it starts, so an edit never changes a page in flight. An open page that waits for an
acknowledgement has `next_step_at`: the engine moves it to the next level at that instant.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from escalation.models.schedules import Schedule


class EscalationPolicy(models.Model):
    """Who is paged, and in which order, for the tickets it matches (first match by position)."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=100, help_text="Lower positions match first.")
    is_active = models.BooleanField(default=True)
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Only tickets of this team; empty: any team (or none).",
    )
    severity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(1, "P1"), (2, "P2"), (3, "P3"), (4, "P4")],
        help_text="Only tickets of this severity; empty: any severity.",
    )
    security_only = models.BooleanField(
        default=False, help_text="Only security tickets (of any severity unless one is set)."
    )
    page_on_breach = models.BooleanField(
        default=True, help_text="Also page when an SLA target of a matching ticket breaches."
    )
    repeat = models.PositiveSmallIntegerField(
        default=0, help_text="How many more times the levels run when nobody acknowledges."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return self.name


class EscalationLevel(models.Model):
    """One step of a policy: whom to notify, then how long to wait for an acknowledgement."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=1)
    wait_minutes = models.PositiveIntegerField(
        default=15, help_text="Minutes to wait for an acknowledgement before the next level."
    )
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    schedule = models.ForeignKey(
        Schedule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Its current on-call at the time of the step.",
    )

    class Meta:
        ordering = ["policy", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="escalation_level_order")
        ]

    def __str__(self) -> str:
        return f"{self.policy} level {self.position}"

    def clean(self) -> None:
        if self.wait_minutes < 1:
            raise ValidationError({"wait_minutes": "Wait at least one minute."})


class PageReason(models.TextChoices):
    SEVERITY = "p1", "P1 ticket"
    SECURITY = "security", "Security ticket"
    SLA_BREACH = "sla_breach", "SLA target breached"
    NO_PROGRESS = "no_progress", "P2 without agent activity for 2 hours"
    MANUAL = "manual", "Paged by hand"


class PageState(models.TextChoices):
    TRIGGERED = "triggered", "Triggered"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


OPEN_PAGE = Q(state__in=[PageState.TRIGGERED, PageState.ACKNOWLEDGED])


class Page(models.Model):
    """One escalation of one ticket. Open while triggered or acknowledged."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=PageReason.choices)
    state = models.CharField(max_length=16, choices=PageState.choices, default=PageState.TRIGGERED)
    summary = models.CharField(max_length=300)
    policy = models.ForeignKey(
        EscalationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The policy's levels as they were when the page started:
    # [{"position", "wait_minutes", "users": [ids], "team": id|None, "schedule": id|None}].
    levels = models.JSONField(default=list)
    repeat = models.PositiveSmallIntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=0, help_text="Index into levels.")
    round = models.PositiveSmallIntegerField(default=0)
    next_step_at = models.DateTimeField(null=True, blank=True)
    # The breach that started it, so a breach pages once.
    sla_event = models.OneToOneField(
        "tickets.SlaEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_via = models.CharField(max_length=16, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_step_at"],
                condition=Q(state=PageState.TRIGGERED, next_step_at__isnull=False),
                name="page_step_due",
            ),
            models.Index(fields=["ticket", "-started_at"], name="page_ticket_started"),
            # My pages: open pages newest first, each probed for its recipient, stops at 50
            # (with 10,000 open, sorting all of one engineer's took 10 ms).
            models.Index(
                fields=["-started_at", "-id"], condition=OPEN_PAGE, name="page_open_started"
            ),
            # My recent acknowledgements: the last ten of one person, read off the index.
            models.Index(
                fields=["acknowledged_by", "-acknowledged_at"],
                condition=Q(acknowledged_by__isnull=False),
                name="page_acknowledged_by",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "reason"], condition=OPEN_PAGE, name="page_one_open_per_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Page {self.pk} ({self.get_reason_display()}, {self.state})"

    @property
    def is_open(self) -> bool:
        return self.state != PageState.RESOLVED


class PageRecipient(models.Model):
    """Who a step of a page notified. Unique per step, so a step never pages anyone twice."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    round = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField()

    class Meta:
        ordering = ["notified_at", "id"]
        indexes = [models.Index(fields=["user", "-notified_at"], name="page_recipient_user")]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "round", "level", "user"], name="page_recipient_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} for page {self.page_id} level {self.level + 1}"


class PageAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    RESOLVE = "resolve", "Resolve"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class PageToken(models.Model):
    """A link in a notification that acknowledges or resolves a page as its user, once, until it
    expires. Only the SHA-256 of the random value is stored."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=PageAction.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.action} link of page {self.page_id} for {self.user}"
