"""Reading the rollups for a range and the dashboard's filters, at the grain that answers fastest:
an organization's own rows when the filter names one, calendar months for all time, days
otherwise. Flows are summed; the backlog is read on the days it is reported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from tickets.dashboard_filters import DashboardFilters

from ..models import BacklogRollup, RollupGrain, Ticket, TicketRollup
from . import rollup
from .buckets import SIZE
from .rollup import AGES, COUNTS

# How far back an all-time backlog chart looks.
MONTHS_OF_HISTORY = 120
# Ranges up to this many days are charted day by day; longer ones month by month.
DAILY_UP_TO = 62


@dataclass(frozen=True)
class Scope:
    """The rows one panel request reads."""

    filters: DashboardFilters
    grain: str
    monthly: bool  # chart periods are months

    @classmethod
    def of(cls, filters: DashboardFilters) -> Scope:
        if filters.organization is not None:
            grain = RollupGrain.ORG_DAY
        elif filters.start is None and not (filters.team or filters.tier or filters.channel):
            grain = RollupGrain.MONTH_ALL
        elif filters.start is None:
            grain = RollupGrain.MONTH
        else:
            grain = RollupGrain.DAY
        span = (filters.end or date.max) - (filters.start or date.min)
        return cls(filters=filters, grain=grain, monthly=span > timedelta(days=DAILY_UP_TO))

    def _filtered(self, model, grain: str) -> QuerySet:
        f = self.filters
        qs = model.objects.filter(grain=grain)
        if f.organization is not None:
            qs = qs.filter(organization_id=f.organization)
        if f.start:
            # Month rows are only read for all time, so a start always reads days.
            qs = qs.filter(day__gte=f.start)
        if f.end:
            qs = qs.filter(day__lte=f.end)
        for field, value in (
            ("team_id", f.team),
            ("severity", f.severity),
            ("tier", f.tier or None),
            ("channel", f.channel or None),
        ):
            if value is not None:
                qs = qs.filter(**{field: value})
        return qs

    def flows(self) -> QuerySet:
        return self._filtered(TicketRollup, self.grain)

    def backlog_by_day(self, *, today: date) -> list[dict]:
        """End-of-day backlogs summed over the filters, one dict per reported day (every day
        of a short range, each month's last day and the range's last day of a long one)."""
        f = self.filters
        last = min(f.end or today, today)
        first = f.start
        if f.organization is not None:
            first = first or _first_ticket_day(f.organization) or last
            days = set(month_ends(first, last)) if self.monthly else None
            rows = rollup.backlog_of_organization(
                organization=f.organization,
                first=first,
                last=last,
                team=f.team,
                severity=f.severity,
                channel=f.channel,
                tier=f.tier,
            )
            return [
                {"group": row["day"], **{c: row[c] for c in ("total", *AGES)}}
                for row in rows
                if days is None or row["day"] in days
            ]
        first = first or last - timedelta(days=MONTHS_OF_HISTORY * 31)
        narrow = f.team or f.tier or f.channel
        grain = RollupGrain.DAY if narrow else RollupGrain.DAY_ALL
        qs = self._filtered(BacklogRollup, grain).filter(day__lte=last)
        if self.monthly:
            qs = qs.filter(day__in=month_ends(first, last))
        # Summed per day in the database; the filters were applied there already.
        return list(
            qs.values("day")
            .annotate(group=F("day"), **{c: Sum(c) for c in ("total", *AGES)})
            .values("group", "total", *AGES)
            .order_by("day")
        )

    def period(self):
        """The chart's period of a row: its day, or its month."""
        monthly_rows = self.grain in (RollupGrain.MONTH, RollupGrain.MONTH_ALL)
        return TruncMonth("day") if self.monthly and not monthly_rows else F("day")


def _first_ticket_day(organization: int) -> date | None:
    first = (
        Ticket.objects.filter(organization_id=organization)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return first.date() if first else None


def month_ends(first: date, last: date) -> list[date]:
    days, month = [], first.replace(day=1)
    while month <= last:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        days.append(min(following - timedelta(days=1), last))
        month = following
    return days


def sums(qs: QuerySet, *names: str) -> dict[str, int]:
    return qs.aggregate(**{n: Coalesce(Sum(n), Value(0)) for n in names})


def sums_by(qs: QuerySet, group, *names: str) -> list[dict]:
    return list(
        qs.annotate(group=group)
        .values("group")
        .annotate(**{n: Coalesce(Sum(n), Value(0)) for n in names})
        .order_by("group")
    )


def histogram_sums(column: str) -> dict:
    """Aggregates that add a histogram column cell by cell (h0..hN)."""
    return {
        f"h{i}": Coalesce(Sum(F(f"{column}__{i}"), output_field=IntegerField()), Value(0))
        for i in range(SIZE)
    }


def histogram_of(row: dict) -> list[int]:
    return [row[f"h{i}"] for i in range(SIZE)]


__all__ = ["AGES", "COUNTS", "Scope", "histogram_of", "histogram_sums", "sums", "sums_by"]
