"""On-call schedules: rules (rotations, members, overrides) and the shifts materialised from them.

The rules are the source of truth; `Shift` rows are a derived, recomputed view of the coming weeks
that pages, the calendar, the iCal feeds and the handoff notices read (DESIGN.md section 6).
"""

from __future__ import annotations

import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Oslo).") from exc


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class RotationLength(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    DAILY = "daily", "Daily"
    CUSTOM = "custom", "Custom (hours)"


class Schedule(models.Model):
    """Who is on call for something (a team, a service), as layered rotations plus overrides."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Oslo",
        validators=[validate_time_zone],
        help_text="How the calendar shows this schedule's days.",
    )
    # The read-only iCal feed's secret; rotating it replaces the value, so an old URL stops at once.
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    # Shifts are materialised up to here; the engine extends it before it runs out.
    materialised_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Rotation(models.Model):
    """One layer of a schedule: ordered members taking turns, handing off at a local wall time.

    A higher `layer` covers the lower ones wherever it has someone on call.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(max_length=100)
    layer = models.PositiveSmallIntegerField(
        default=1, help_text="Higher layers cover lower ones where they have someone."
    )
    length = models.CharField(
        max_length=10, choices=RotationLength.choices, default=RotationLength.WEEKLY
    )
    shift_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Shift length in hours, for a custom rotation."
    )
    handoff_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text="For weekly rotations."
    )
    handoff_time = models.TimeField(help_text="Local wall time of the handoff.")
    time_zone = models.CharField(
        max_length=64, default="Europe/Oslo", validators=[validate_time_zone]
    )
    starts_on = models.DateField(
        help_text="The first member's first shift starts at the first handoff on or after this day."
    )
    ends_on = models.DateField(null=True, blank=True, help_text="No shifts from this day on.")

    class Meta:
        ordering = ["schedule", "-layer", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(length="custom")
                | models.Q(shift_hours__gte=1, shift_hours__lte=24 * 14),
                name="rotation_custom_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} · {self.name}"

    def clean(self) -> None:
        if self.length == RotationLength.CUSTOM and not self.shift_hours:
            raise ValidationError(
                {"shift_hours": "A custom rotation needs a shift length in hours."}
            )
        if self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "The rotation must end after it starts."})


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rotation", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "position"], name="rotation_member_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rotation}: {self.position}. {self.user}"


class Override(models.Model):
    """Someone covers a window of a schedule, above every layer (for someone else, usually)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Who would have been on call; kept for the calendar ("covers for"), not for the arithmetic.
    covers_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["schedule", "ends_at"], name="override_schedule_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} covers {self.schedule} {self.starts_at:%Y-%m-%d %H:%M}"


class Shift(models.Model):
    """A materialised stretch of one schedule with one person on call, or nobody (a gap).

    Contiguous over the horizon; adjacent stretches with the same person are merged, so every row
    start is a real change of hands. `starts_at` is the due time of its handoff notice.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    rotation = models.ForeignKey(
        Rotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override = models.ForeignKey(
        Override, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["schedule", "starts_at"]
        indexes = [
            models.Index(fields=["schedule", "ends_at"], name="shift_schedule_end"),
            models.Index(fields=["user", "ends_at"], name="shift_user_end"),
            models.Index(
                fields=["starts_at"],
                condition=models.Q(handed_off_at__isnull=True),
                name="shift_handoff_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="shift_schedule_start")
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.starts_at:%Y-%m-%d %H:%M}: {self.user or 'nobody'}"


class HandoffNote(models.Model):
    """What the outgoing engineer wants the next one to know; sent with the next handoff."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField()
    # The shift whose handoff carried it; null while it waits for the next one.
    handed_off_in = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["schedule"],
                condition=models.Q(handed_off_in__isnull=True),
                name="handoff_note_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule} note by {self.author}"


class OnCallFeed(models.Model):
    """A person's read-only iCal feed of their shifts across schedules, behind a secret token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    def __str__(self) -> str:
        return f"on-call feed of {self.user}"
