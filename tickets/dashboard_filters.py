"""The dashboard panels' query string (start, end, team, severity, organization, tier, channel),
parsed once and turned into a filter on tickets. Panels of other apps read it too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.http import QueryDict

from .choices import Channel, Tier


class BadFilter(ValueError):
    """A value the panel cannot read: answered 400 with this message."""


@dataclass(frozen=True)
class DashboardFilters:
    start: date | None
    end: date | None
    team: int | None
    severity: int | None
    organization: int | None
    tier: str
    channel: str

    @property
    def since(self) -> datetime | None:
        return datetime.combine(self.start, time(0), tzinfo=UTC) if self.start else None

    @property
    def until(self) -> datetime | None:
        """The end of the last day (both ends are inclusive UTC days)."""
        if not self.end:
            return None
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=UTC)

    def tickets(self, prefix: str = "") -> Q:
        """The filter on tickets, reached through `prefix` (e.g. "ticket__")."""
        q = Q()
        for field, value in (
            ("team_id", self.team),
            ("severity", self.severity),
            ("organization_id", self.organization),
            ("organization__tier", self.tier or None),
            ("channel", self.channel or None),
        ):
            if value is not None:
                q &= Q(**{f"{prefix}{field}": value})
        return q

    def between(self, field: str) -> Q:
        q = Q()
        if self.since:
            q &= Q(**{f"{field}__gte": self.since})
        if self.until:
            q &= Q(**{f"{field}__lt": self.until})
        return q


def _int(params: QueryDict, name: str, *, low: int = 1, high: int | None = None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadFilter(f"{name} must be a number, not “{raw[:40]}”.") from None
    if value < low or (high is not None and value > high):
        raise BadFilter(f"{name} is out of range.")
    return value


def _date(params: QueryDict, name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"{name} must be a date as YYYY-MM-DD, not “{raw[:40]}”.") from None


def _choice(params: QueryDict, name: str, values) -> str:
    raw = (params.get(name) or "").strip()
    if raw and raw not in values:
        raise BadFilter(f"{name} “{raw[:40]}” is not one of {', '.join(values)}.")
    return raw


def parse(params: QueryDict) -> DashboardFilters:
    start, end = _date(params, "start"), _date(params, "end")
    if start and end and end < start:
        raise BadFilter("The range ends before it starts.")
    return DashboardFilters(
        start=start,
        end=end,
        team=_int(params, "team"),
        severity=_int(params, "severity", high=4),
        organization=_int(params, "organization"),
        tier=_choice(params, "tier", Tier.values),
        channel=_choice(params, "channel", Channel.values),
    )
