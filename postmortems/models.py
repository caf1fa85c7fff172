"""Postmortems: one document per ticket, its timeline entries, its action items and its history.

The document's due dates (draft, review) and the action items' due dates are timed obligations:
the engine module (postmortems/engine.py) claims the ones that are due and not yet reminded,
through the partial indexes below.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Requirement(models.TextChoices):
    REQUIRED = "required", "Required"
    RECOMMENDED = "recommended", "Recommended"


# The sections of the document (seed 000), in the order they are written and exported.
# (field, title, help shown in the editor)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("summary", "Summary", "What happened, in two or three sentences."),
    ("impact", "Impact", "Who was affected and how; the figures above are counted for you."),
    ("detection", "Detection", "How and when we found out: monitoring, a customer, a colleague."),
    ("trigger", "Trigger", "The change or event that set it off."),
    (
        "root_cause",
        "Root cause and contributing factors",
        "Why it could happen: systems and processes, not people.",
    ),
    ("immediate_fix", "Resolution: immediate fix", "What stopped the impact."),
    ("long_term_fix", "Resolution: long-term fix", "What keeps it from coming back."),
    ("verification", "Resolution: verification", "How we know the fix works."),
    ("went_well", "Lessons learned: what went well", ""),
    ("went_wrong", "Lessons learned: what went wrong", ""),
    ("got_lucky", "Lessons learned: where we got lucky", ""),
    ("prevention", "Prevention", "What would catch the next one earlier."),
)
SECTION_FIELDS = tuple(field for field, _, _ in SECTIONS)
SECTION_TITLES = {field: title for field, title, _ in SECTIONS}
MAX_SECTION_CHARS = 20_000


class Postmortem(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="postmortem"
    )
    requirement = models.CharField(max_length=16, choices=Requirement.choices)
    reason = models.CharField(max_length=200, help_text="Why this ticket has a postmortem.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_due_at = models.DateTimeField()
    review_due_at = models.DateTimeField()
    draft_reminded_at = models.DateTimeField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)

    summary = models.TextField(blank=True)
    impact = models.TextField(blank=True)
    detection = models.TextField(blank=True)
    trigger = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    immediate_fix = models.TextField(blank=True)
    long_term_fix = models.TextField(blank=True)
    verification = models.TextField(blank=True)
    went_well = models.TextField(blank=True)
    went_wrong = models.TextField(blank=True)
    got_lucky = models.TextField(blank=True)
    prevention = models.TextField(blank=True)
    customer_summary = models.TextField(
        blank=True, help_text="What the affected customers are told once it is published."
    )
    customer_summary_sent_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["draft_due_at"],
                condition=Q(state="draft", draft_reminded_at__isnull=True),
                name="postmortem_draft_due",
            ),
            models.Index(
                fields=["review_due_at"],
                condition=Q(state="in_review", review_reminded_at__isnull=True),
                name="postmortem_review_due",
            ),
            models.Index(fields=["state", "-created_at"], name="postmortem_state_created"),
        ]

    def __str__(self) -> str:
        return f"Postmortem of {self.ticket_id}"

    def due_at(self):
        """The due date of the current stage; None once published."""
        if self.state == State.DRAFT:
            return self.draft_due_at
        if self.state == State.IN_REVIEW:
            return self.review_due_at
        return None


class TimelineEntry(models.Model):
    """A line of the incident's timeline. Drafted from the ticket's events (source_event), then
    the owner's to edit, star (a key moment) or hide (noise)."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24)
    text = models.CharField(max_length=500)
    source_event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_key = models.CharField(max_length=20, blank=True)
    starred = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    edited = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "source_event"],
                condition=Q(source_event__isnull=False),
                name="postmortem_entry_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return self.text


class ActionKind(models.TextChoices):
    MITIGATE = "mitigate", "Mitigate"
    PREVENT = "prevent", "Prevent"
    DETECT = "detect", "Detect"
    PROCESS = "process", "Process"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class ActionItem(models.Model):
    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    due_at = models.DateTimeField()
    link = models.URLField(max_length=500, blank=True, help_text="The tracker's issue, if any.")
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", reminded_at__isnull=True),
                name="postmortem_action_due",
            ),
            models.Index(
                fields=["due_at"], condition=Q(status="open"), name="postmortem_action_open"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN


class Change(models.Model):
    """The document's history: created, submitted for review, published, sent to customers."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    what = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.what
