"""What agents reach for around a ticket: macros, followers, and the customer's CC list."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from ..choices import Severity, Status
from .core import USER, Team, Ticket


class Macro(models.Model):
    """A reply template that also sets fields, applied in one click from the composer.

    Personal macros (with an owner) are offered to their owner only; shared ones (no owner) to
    every agent. Each field left blank is left as it is on the ticket."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="Leave empty to share it with every agent.",
    )
    body = models.TextField(
        blank=True,
        help_text="The reply it writes into the composer, with the reply templates' {{ variables "
        "}}. Leave empty for a macro that only sets fields.",
    )
    is_internal = models.BooleanField(default=False, help_text="Writes an internal note.")
    set_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    set_severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    set_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_assignee = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=~Q(role="customer"),
    )
    add_tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    use_count = models.PositiveIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="macro_shared_name_unique"
            ),
            models.UniqueConstraint(fields=["owner", "name"], name="macro_owner_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None


class TicketFollower(models.Model):
    """An agent who gets a ticket's notices without owning it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="followed_tickets")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticketfollower_unique")
        ]
        indexes = [models.Index(fields=["user", "ticket"], name="ticketfollower_user")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.ticket_id}"


class TicketCc(models.Model):
    """A colleague of the requester (same organization) copied on a ticket's public updates."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="cc")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="cc_tickets")
    added_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="ticketcc_unique")]
        indexes = [models.Index(fields=["user", "ticket"], name="ticketcc_user")]

    def __str__(self) -> str:
        return f"{self.user} on CC of {self.ticket_id}"
