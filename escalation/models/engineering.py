"""Engineering escalations (the bug report of seed 001 handed to engineering), tier escalations,
and the monitoring sources whose alerts open incident tickets.

A bug report is a copy of what support knew when it was sent, not a view of the ticket: the
ticket goes on changing, the report is what engineering accepted or rejected.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tickets.choices import BusinessImpact, SupportTier


class BugSeverity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class BugEnvironment(models.TextChoices):
    PRODUCTION = "production", "Production"
    STAGING = "staging", "Staging"
    ALL = "all", "All"


class EscalationState(models.TextChoices):
    PENDING = "pending", "Waiting for engineering"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class EngineeringEscalation(models.Model):
    """A bug report sent to engineering, and engineering's answer."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=16, choices=EscalationState.choices, default=EscalationState.PENDING
    )

    # The bug report (seed 001)
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=16, choices=BugSeverity.choices)
    affected_customers = models.TextField(help_text="Names, or “all users”.")
    affected_users = models.PositiveIntegerField(null=True, blank=True)
    business_impact = models.CharField(max_length=24, choices=BusinessImpact.choices)
    workaround_available = models.BooleanField(default=False)
    workaround_description = models.TextField(blank=True)
    reproduction_steps = models.TextField(blank=True, help_text="One step a line.")
    expected_behavior = models.TextField(blank=True)
    actual_behavior = models.TextField(blank=True)
    environment = models.CharField(max_length=16, choices=BugEnvironment.choices, blank=True)
    version = models.CharField(max_length=60, blank=True)
    error_messages = models.TextField(blank=True)
    log_snippets = models.TextField(blank=True)
    affected_endpoints = models.TextField(blank=True, help_text="One endpoint a line.")
    root_cause_hypothesis = models.TextField(blank=True)
    suggested_fix = models.TextField(blank=True)
    priority_justification = models.TextField(blank=True)

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    committed_date = models.DateField(
        null=True, blank=True, help_text="When engineering expects the fix (accepted only)."
    )
    decision_note = models.TextField(
        blank=True, help_text="The reason of a rejection; engineering's note on an acceptance."
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "-sent_at"], name="eng_escalation_ticket"),
            models.Index(fields=["sent_at"], name="eng_escalation_sent"),
            models.Index(fields=["decided_at"], name="eng_escalation_decided"),
        ]
        constraints = [
            # One report waiting per ticket: a second one would split engineering's answer.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(state=EscalationState.PENDING),
                name="eng_escalation_one_pending",
            ),
            models.CheckConstraint(
                condition=~Q(state=EscalationState.ACCEPTED) | Q(committed_date__isnull=False),
                name="eng_escalation_accepted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=EscalationState.REJECTED) | ~Q(decision_note=""),
                name="eng_escalation_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Engineering escalation {self.pk}: {self.title}"


class TierEscalation(models.Model):
    """A ticket handed up a support tier (1 -> 2 -> 3), to whom and why."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    from_tier = models.PositiveSmallIntegerField(choices=SupportTier.choices)
    to_tier = models.PositiveSmallIntegerField(choices=SupportTier.choices)
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "-created_at"], name="tier_escalation_ticket"),
            models.Index(fields=["created_at"], name="tier_escalation_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_tier__gt=models.F("from_tier")), name="tier_escalation_goes_up"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: tier {self.from_tier} -> {self.to_tier}"


class AlertSource(models.Model):
    """A monitoring system allowed to post alerts. Its secret is shown once, when set in the
    admin; only its SHA-256 is stored."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Its URL: /api/v1/alerts/SLUG/")
    secret_hash = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(default=True)
    organization = models.ForeignKey(
        "tickets.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organization its incident tickets are opened for.",
    )
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_severity = models.PositiveSmallIntegerField(
        choices=[(1, "P1"), (2, "P2"), (3, "P3"), (4, "P4")],
        default=2,
        help_text="For alerts that name no severity.",
    )
    resolve_on_clear = models.BooleanField(
        default=False,
        help_text="Resolve the ticket when its alert clears; otherwise note it on the ticket.",
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="alert_source",
        help_text="Who its tickets are opened by on the timeline (cannot log in).",
    )

    def __str__(self) -> str:
        return self.name


class AlertState(models.TextChoices):
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    """One alert of a source, from its first firing to its clearing. While it fires, every repeat
    with its key adds to it rather than opening anything."""

    source = models.ForeignKey(AlertSource, on_delete=models.CASCADE, related_name="alerts")
    dedup_key = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=AlertState.choices, default=AlertState.FIRING)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    summary = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dedup_key"],
                condition=Q(state=AlertState.FIRING),
                name="alert_one_firing_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.dedup_key} ({self.state})"
