"""SLA configuration (calendars, policies) and the per-ticket SLA clocks with their event log."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..choices import Channel, Severity, Tier
from ..sla import policy_checks
from ..sla.businesstime import CalendarSpec, Period


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def validate_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"“{value}” is not a known IANA time zone (e.g. Europe/Berlin)."
        ) from exc


class BusinessCalendar(models.Model):
    """When the clock runs: weekly periods in a time zone, minus holidays."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.timezone})"

    def spec(self) -> CalendarSpec:
        """The pure description the business-time functions work on (two queries)."""
        return CalendarSpec(
            timezone=self.timezone,
            periods=tuple(Period(p.weekday, p.opens, p.closes) for p in self.periods.all()),
            holidays=frozenset(h.date for h in self.holidays.all()),
        )


class CalendarPeriod(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField(null=True, blank=True, help_text="Empty means 24:00 (midnight).")

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__isnull=True) | Q(closes__gt=models.F("opens")),
                name="period_closes_after_opens",
            )
        ]

    def __str__(self) -> str:
        closes = self.closes.strftime("%H:%M") if self.closes else "24:00"
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{closes}"

    def clean(self) -> None:
        if self.closes is not None and self.opens is not None and self.closes <= self.opens:
            raise ValidationError(
                {"closes": "A period must close after it opens (leave empty for 24:00)."}
            )


def check_periods(periods: list[tuple[int, time, time | None]]) -> None:
    """A calendar's periods: at least one, none empty, none overlapping on the same day."""
    if not periods:
        raise ValidationError("A calendar needs at least one business period.")
    by_day: dict[int, list[tuple[time, time | None]]] = {}
    for weekday, opens, closes in periods:
        if closes is not None and closes <= opens:
            raise ValidationError(
                f"{Weekday(weekday).label} {opens:%H:%M}-{closes:%H:%M} is empty or backwards: "
                "a period must close after it opens (leave the end empty for 24:00)."
            )
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday, spans in by_day.items():
        spans.sort(key=lambda span: span[0])
        for (a_open, a_close), (b_open, _) in zip(spans, spans[1:], strict=False):
            if a_close is None or b_open < a_close:
                end = "24:00" if a_close is None else f"{a_close:%H:%M}"
                raise ValidationError(
                    f"{Weekday(weekday).label}: {a_open:%H:%M}-{end} overlaps the period "
                    f"starting at {b_open:%H:%M}."
                )


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="holiday_calendar_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    UPDATE = "update", "Customer update"
    RESOLUTION = "resolution", "Resolution"


def default_credit_targets() -> list[str]:
    return [SlaKind.FIRST_RESPONSE, SlaKind.RESOLUTION]


def default_credit_tiers() -> list[str]:
    return [Tier.ENTERPRISE, Tier.BUSINESS]


def validate_positive(value: timedelta | None) -> None:
    if value is not None and value <= timedelta(0):
        raise ValidationError("A target must be longer than zero.")


class SlaPolicy(models.Model):
    """Targets for the tickets it matches. Policies are tried in `position` order; first match
    wins. An empty match field matches anything."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="policies"
    )
    first_response = models.DurationField(null=True, blank=True, validators=[validate_positive])
    update_interval = models.DurationField(
        null=True,
        blank=True,
        validators=[validate_positive],
        help_text="Periodic customer update while the ticket is open and not waiting on them.",
    )
    resolution = models.DurationField(null=True, blank=True, validators=[validate_positive])
    warning_percent = models.PositiveSmallIntegerField(
        default=20, help_text="Warn this share of the target before it is due."
    )
    warning_cap = models.DurationField(
        default=timedelta(hours=1), help_text="…but never earlier than this before it is due."
    )
    # Seed 002: "offer credit if SLA violated". What a contract promises credit for is the
    # response and the resolution of paying customers; a late periodic update is a lapse to
    # learn from, not a credit.
    credit_targets = ArrayField(
        models.CharField(max_length=16, choices=SlaKind.choices),
        default=default_credit_targets,
        blank=True,
        help_text="Breaches of these targets flag the ticket for SLA credit review.",
    )
    credit_tiers = ArrayField(
        models.CharField(max_length=16, choices=Tier.choices),
        default=default_credit_tiers,
        blank=True,
        help_text="…for customers of these tiers.",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=(Q(first_response__isnull=True) | Q(first_response__gt=timedelta(0)))
                & (Q(update_interval__isnull=True) | Q(update_interval__gt=timedelta(0)))
                & (Q(resolution__isnull=True) | Q(resolution__gt=timedelta(0))),
                name="slapolicy_targets_positive",
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="slapolicy_warning_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # In words an admin can act on; the constraints above stay as the database's last guard.
        refused = policy_checks.errors(self)
        if refused:
            raise ValidationError(refused)

    def target_for(self, kind: str) -> timedelta | None:
        return {
            SlaKind.FIRST_RESPONSE: self.first_response,
            SlaKind.UPDATE: self.update_interval,
            SlaKind.RESOLUTION: self.resolution,
        }[kind]

    def warning_lead(self, target: timedelta) -> timedelta:
        return min(target * self.warning_percent / 100, self.warning_cap)

    def counts_for_credit(self, *, kind: str, tier: str) -> bool:
        """Whether a breach of `kind` for a customer of `tier` goes to SLA credit review."""
        return kind in self.credit_targets and tier in self.credit_tiers

    def describe_match(self) -> str:
        parts = [
            f"P{self.severity}" if self.severity else "any severity",
            f"{self.tier} tier" if self.tier else "any tier",
            f"{self.channel} channel" if self.channel else "any channel",
        ]
        return ", ".join(parts)


class SlaTarget(models.Model):
    """One running obligation of a ticket. `next_check_at` is the engine's due column: the next
    instant the engine must look at this row (warning, then breach); NULL when nothing is due."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_targets"
    )
    kind = models.CharField(max_length=16, choices=SlaKind.choices)
    cycle = models.PositiveIntegerField(default=1, help_text="Which customer-update period.")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    target = models.DurationField()
    started_at = models.DateTimeField()
    pauses = models.JSONField(default=list, blank=True, help_text="Closed pauses: [[start, end]].")
    paused_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    explanation = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="slatarget_ticket_kind_unique")
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                condition=Q(next_check_at__isnull=False),
                name="slatarget_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of ticket {self.ticket_id}"

    @property
    def is_running(self) -> bool:
        return self.fulfilled_at is None and self.paused_since is None


class SlaEventKind(models.TextChoices):
    APPLIED = "applied", "Applied"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    WARNED = "warned", "Warned"
    BREACHED = "breached", "Breached"
    FULFILLED = "fulfilled", "Fulfilled"
    CANCELLED = "cancelled", "Cancelled"


class SlaEvent(models.Model):
    """The append-only SLA log. Dashboards read it; they never recompute history."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_events"
    )
    target_kind = models.CharField(max_length=16, choices=SlaKind.choices)
    cycle = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=16, choices=SlaEventKind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "at"], name="slaevent_ticket_at"),
            models.Index(fields=["kind", "at"], name="slaevent_kind_at"),
        ]
        constraints = [
            # A warning or breach is recorded once per target period, whatever the engine does.
            models.UniqueConstraint(
                fields=["ticket", "target_kind", "cycle", "kind"],
                condition=Q(kind__in=["warned", "breached"]),
                name="slaevent_once_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_kind} of ticket {self.ticket_id}"
