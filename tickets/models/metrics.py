"""Per-day rollups of the ticket figures the dashboard reads (tickets.metrics builds them).

Derived data: every row can be rebuilt from the timeline and the SLA log, so team and
organization are plain ids (a deleted team leaves its history behind, unreferenced).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class RollupGrain(models.TextChoices):
    # One organization's tickets on one day: what a filter on an organization reads.
    ORG_DAY = "org_day", "Organization and day"
    # Every organization together on one day: dated views without an organization filter.
    DAY = "day", "Day"
    # Every organization together over a calendar month: all-time views filtered on a team,
    # tier or channel.
    MONTH = "month", "Month"
    # A calendar month by severity and category only (team, channel and tier blank): all-time
    # views without those filters read a few hundred rows.
    MONTH_ALL = "month_all", "Month, every team, tier and channel"
    # A day by severity only (team, channel and tier blank): the backlog's views without those
    # filters read four rows a day.
    DAY_ALL = "day_all", "Day, every team, tier and channel"


def empty_histogram() -> list[int]:
    return []


class TicketRollup(models.Model):
    """Counts and duration histograms for one grain, period and combination of dimensions.

    Each count is a sum over the period, so any range adds its rows up. Histograms count
    durations into the buckets of tickets.metrics.buckets.BOUNDS_MINUTES.
    """

    grain = models.CharField(max_length=10, choices=RollupGrain.choices)
    day = models.DateField(help_text="The day, or the first day of the month.")
    organization_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    severity = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=16)
    tier = models.CharField(max_length=16)
    category = models.CharField(max_length=20)

    created = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    first_resolutions = models.IntegerField(default=0)
    first_contact_resolutions = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    first_response_met = models.IntegerField(default=0)
    first_response_breached = models.IntegerField(default=0)
    update_met = models.IntegerField(default=0)
    update_breached = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    resolution_breached = models.IntegerField(default=0)
    first_response_minutes = ArrayField(models.IntegerField(), default=empty_histogram)
    resolve_minutes = ArrayField(models.IntegerField(), default=empty_histogram)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "day"], name="rollup_grain_day"),
            models.Index(
                fields=["organization_id", "day"],
                condition=models.Q(grain="org_day"),
                name="rollup_org_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day}"


class BacklogRollup(models.Model):
    """The tickets open at the end of a day, by age since their creation (a stock, so a range
    reads the day it ends on rather than a sum)."""

    grain = models.CharField(max_length=10, choices=RollupGrain.choices)
    day = models.DateField()
    organization_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    severity = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=16)
    tier = models.CharField(max_length=16)
    category = models.CharField(max_length=20)
    total = models.IntegerField(default=0)
    under_1d = models.IntegerField(default=0)
    from_1_to_3d = models.IntegerField(default=0)
    from_3_to_7d = models.IntegerField(default=0)
    from_7_to_30d = models.IntegerField(default=0)
    over_30d = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["grain", "day"], name="backlog_grain_day"),
            models.Index(
                fields=["organization_id", "day"],
                condition=models.Q(grain="org_day"),
                name="backlog_org_day",
            ),
        ]

    def __str__(self) -> str:
        return f"backlog {self.grain} {self.day}"


class RollupWatermark(models.Model):
    """How far the rollups have read the append-only logs: the last timeline event and SLA
    event already rolled, and the day the backlog was last rolled to."""

    name = models.CharField(max_length=32, primary_key=True)
    ticket_event_id = models.BigIntegerField(default=0)
    sla_event_id = models.BigIntegerField(default=0)
    rolled_through = models.DateField(null=True)
    rolled_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name
