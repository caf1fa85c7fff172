"""Customer satisfaction: one survey per resolution of a ticket, answered once with a 1-5 rating
and a comment, through a single-use link (its token kept only as a hash) or the portal."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q

from .core import USER, Ticket, TicketEvent


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class SatisfactionSurvey(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="surveys")
    # The status event of the resolution it asks about: one survey per resolution.
    resolution = models.OneToOneField(TicketEvent, on_delete=models.CASCADE, related_name="survey")
    customer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rated_via = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "-created_at"], name="survey_ticket_created"),
            models.Index(
                fields=["rated_at"], condition=Q(rating__isnull=False), name="survey_rated_at"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="survey_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Survey of ticket {self.ticket_id}"

    @property
    def is_rated(self) -> bool:
        return self.rating is not None
