"""The schedule page's calendar: materialised shifts cut into local days of the schedule's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from escalation.models import Shift
from tickets.sla.businesstime import local_to_utc


@dataclass
class Piece:
    """The part of one shift that falls on one local day."""

    shift: Shift
    starts_at: datetime  # UTC, clipped to the day
    ends_at: datetime
    local_start: datetime
    local_end: datetime
    whole_day: bool

    @property
    def is_gap(self) -> bool:
        return self.shift.user_id is None


@dataclass
class Day:
    day: date
    is_today: bool
    is_past: bool
    pieces: list[Piece] = field(default_factory=list)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return local_to_utc(day, time(0), zone), local_to_utc(day + timedelta(days=1), time(0), zone)


def weeks(shifts: list[Shift], *, zone: ZoneInfo, now: datetime, count: int) -> list[list[Day]]:
    """`count` weeks of days from the Monday of the current local week, each with its pieces."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    out: list[list[Day]] = []
    index = 0
    for w in range(count):
        week = []
        for d in range(7):
            day = monday + timedelta(days=7 * w + d)
            start, end = day_bounds(day, zone)
            cell = Day(day, day == today, day < today)
            while index < len(shifts) and shifts[index].ends_at <= start:
                index += 1
            j = index
            while j < len(shifts) and shifts[j].starts_at < end:
                s = shifts[j]
                lo, hi = max(s.starts_at, start), min(s.ends_at, end)
                cell.pieces.append(
                    Piece(
                        s,
                        lo,
                        hi,
                        lo.astimezone(zone),
                        hi.astimezone(zone),
                        (lo, hi) == (start, end),
                    )
                )
                j += 1
            week.append(cell)
        out.append(week)
    return out


def gaps(shifts: list[Shift], now: datetime) -> list[Shift]:
    return [s for s in shifts if s.user_id is None and s.ends_at > now]
