"""Known issues: product defects support already knows, their workaround and fix.

The external id (KI-101) is the one engineering and the customers' messages use, kept visible.
Each ticket link records when it was made, so the links counted per week are the issue's frequency.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse

USER = settings.AUTH_USER_MODEL


class KnownIssueStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    FIX_SCHEDULED = "fix_scheduled", "Fix scheduled"
    FIXED = "fixed", "Fixed"


class KnownIssue(models.Model):
    external_id = models.CharField(max_length=40, unique=True, help_text="For example KI-101.")
    title = models.CharField(max_length=200)
    component = models.CharField(max_length=100, blank=True)
    affected_versions = models.CharField(max_length=200, blank=True)
    error_signatures = ArrayField(
        models.CharField(max_length=300),
        default=list,
        blank=True,
        help_text="Normalised error messages, endpoints, exception names.",
    )
    symptoms = models.TextField(blank=True, help_text="Markdown.")
    workaround = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(
        max_length=16, choices=KnownIssueStatus.choices, default=KnownIssueStatus.INVESTIGATING
    )
    fix_version = models.CharField(max_length=60, blank=True)
    article = models.ForeignKey(
        "kb.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="known_issues",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    fixed_at = models.DateTimeField(null=True, blank=True)
    tickets = models.ManyToManyField(
        "tickets.Ticket", through="kb.KnownIssueTicket", related_name="known_issues", blank=True
    )

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [models.Index(fields=["status", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("kb:known_issue", args=[self.external_id])


class KnownIssueTicket(models.Model):
    """A ticket that hit the known issue; `linked_at` dates it for the frequency table."""

    known_issue = models.ForeignKey(
        KnownIssue, on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="known_issue_links"
    )
    linked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField()
    followed_up_at = models.DateTimeField(
        null=True, blank=True, help_text="When the fix was announced on this ticket."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["known_issue", "ticket"], name="kb_known_issue_ticket_unique"
            )
        ]
        indexes = [models.Index(fields=["known_issue", "linked_at"])]

    def __str__(self) -> str:
        return f"{self.known_issue_id} -> {self.ticket_id}"
