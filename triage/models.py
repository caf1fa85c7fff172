"""Triage records: each run of the playbook's checks on a ticket, the suggestions it made with
their reasons, the agent's decision on each, and the incidents declared from them.

A run is also the durable work row (DESIGN.md section 4): it is written `pending` when a ticket
arrives or its customer adds information, and the engine (or the nudge task) claims it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL
MAX_ATTEMPTS = 5


class Trigger(models.TextChoices):
    CREATED = "created", "Ticket created"
    CUSTOMER_INFO = "customer_info", "Customer added information"
    MANUAL = "manual", "Run again by an agent"


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class TriageRun(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.PENDING)
    rules_version = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # When the engine should (re)try a pending run: now at first, later after a failure.
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # The error signature of the ticket as the rules read it, kept for matching later tickets
    # (duplicates, incidents) without re-reading their text.
    signature_key = models.CharField(max_length=64, blank=True)
    signature_message = models.CharField(max_length=300, blank=True)
    signature_endpoint = models.CharField(max_length=200, blank=True)
    signature_status = models.CharField(max_length=8, blank=True)
    # Copied from the ticket so the matchers' scans stay on this table's indexes.
    organization_id = models.BigIntegerField(null=True)
    ticket_created_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status="pending"),
                name="triage_run_pending_due",
            ),
            models.Index(fields=["ticket", "-created_at", "-id"], name="triage_run_ticket"),
            models.Index(
                fields=["signature_key", "-ticket_created_at"],
                condition=Q(status="done") & ~Q(signature_key=""),
                name="triage_run_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"triage of ticket {self.ticket_id} ({self.trigger}, {self.status})"


class Kind(models.TextChoices):
    SEVERITY = "severity", "Severity"
    CATEGORY = "category", "Category"
    ISSUE_TYPE = "issue_type", "Issue type"
    ENVIRONMENT = "environment", "Environment"
    SECURITY = "security", "Security"
    NEEDS_INFO = "needs_info", "Needs more information"
    CLOSE_AS = "close_as", "Close as"
    KNOWN_ISSUE = "known_issue", "Known issue"
    DUPLICATE = "duplicate", "Duplicate"
    INCIDENT = "incident", "Incident"
    ESCALATION = "escalation", "Escalation"


class Decision(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"
    DISMISSED = "dismissed", "Dismissed"
    # A later run on the same ticket replaced the suggestion before anyone decided on it.
    SUPERSEDED = "superseded", "Superseded"


class Suggestion(models.Model):
    run = models.ForeignKey(TriageRun, on_delete=models.CASCADE, related_name="suggestions")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=200, blank=True)
    # Each reason names the rule, or the similar tickets, that produced the suggestion.
    reasons = models.JSONField(default=list)
    # What the panel shows beside the value: a workaround, shared features, a reply template.
    details = models.JSONField(default=dict, blank=True)
    requires_review = models.BooleanField(default=False)
    review_reasons = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decided_value = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["ticket", "kind"],
                condition=Q(decision="pending"),
                name="triage_sugg_ticket_pending",
            ),
            models.Index(fields=["ticket", "-created_at", "-id"], name="triage_sugg_ticket"),
            models.Index(
                fields=["decided_at", "kind"],
                condition=Q(decision__in=["accepted", "overridden", "dismissed"]),
                name="triage_sugg_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value} ({self.decision})"


class Incident(models.Model):
    """An incident declared from triage: the parent ticket gathers the reports that share an
    error signature. It is active while its parent ticket is open (read from the ticket, so
    resolving the parent ends it without a second record to keep in step)."""

    parent = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="triage_incident"
    )
    signature_key = models.CharField(max_length=64)
    label = models.CharField(max_length=300)
    declared_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["signature_key"], name="triage_incident_signature")]

    def __str__(self) -> str:
        return self.label
