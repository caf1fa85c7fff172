"""Business-time arithmetic: pure functions of a calendar and UTC instants (DESIGN.md section 5).

Decisions this module implements:
- Business time is the union of half-open local periods [open, close); "24:00" is the next local
  midnight, so 22:00-24:00 and 00:00-06:00 join into one stretch.
- A holiday closes its whole local date.
- Periods are wall-clock times: a spring-forward day shortens a period containing the skipped
  hour; a fall-back day counts the repeated hour twice (real elapsed time). A boundary at a local
  time that does not exist is the instant the clock jumps; one at a repeated local time is its
  first occurrence.
- Pauses are half-open UTC intervals, merged when they overlap.
- The due instant is the earliest instant at which the business time used equals the target: a
  target that runs out at a period's end is due at that end (17:00, not the next opening), one that
  runs out as a pause starts is due at that instant, and a zero target is due at the start itself.
Seconds (and microseconds) are kept; nothing is rounded.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
MIDNIGHT = time(0, 0)
HORIZON_DAYS = 800  # no target outlives two years of a calendar with at least one weekly period


@dataclass(frozen=True)
class Period:
    weekday: int  # Monday = 0
    opens: time
    closes: time | None  # None means 24:00, the next local midnight


@dataclass(frozen=True)
class CalendarSpec:
    timezone: str
    periods: tuple[Period, ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def always_open(cls) -> CalendarSpec:
        return cls("UTC", tuple(Period(d, MIDNIGHT, None) for d in range(7)))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _exists(local: datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time: first occurrence if repeated, the jump if skipped."""
    local = datetime.combine(day, at, tzinfo=zone).replace(fold=0)
    if _exists(local):
        return local.astimezone(UTC)
    # In a spring-forward gap: the jump lies between the two readings of the offset.
    low = local.replace(fold=1).astimezone(UTC)
    high = local.replace(fold=0).astimezone(UTC)
    if low > high:
        low, high = high, low
    # The jump is the first instant whose local wall time is at or after `local`.
    naive = local.replace(tzinfo=None)
    while (high - low) > timedelta(microseconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            high = mid
        else:
            low = mid
    return high


def _day_intervals(spec: CalendarSpec, day: date) -> list[Interval]:
    if day in spec.holidays:
        return []
    zone = spec.zone
    intervals = []
    for period in spec.periods:
        if period.weekday != day.weekday():
            continue
        start = local_to_utc(day, period.opens, zone)
        if period.closes is None:
            end = local_to_utc(day + timedelta(days=1), MIDNIGHT, zone)
        else:
            end = local_to_utc(day, period.closes, zone)
        if end > start:
            intervals.append((start, end))
    return intervals


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of half-open intervals; touching ones join."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def open_intervals(spec: CalendarSpec, start: datetime) -> Iterator[Interval]:
    """Business intervals from `start` on, in order, clipped to begin at `start`.

    Intervals of consecutive days may touch (22:00-24:00, then 00:00-06:00); callers treat
    touching intervals as one stretch, so they are yielded day by day as soon as they are known.
    """
    zone = spec.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    for _ in range(HORIZON_DAYS):
        for s, e in _business_day(spec, day):
            if e > start:
                yield (max(s, start), e)
        day += timedelta(days=1)


@functools.lru_cache(maxsize=8192)
def _business_day(spec: CalendarSpec, day: date) -> tuple[Interval, ...]:
    # A pure function of a calendar and a date, asked for again and again: every queue row's
    # "time left" and every engine pass walk the same few days of the same few calendars.
    return tuple(merge(_day_intervals(spec, day)))


def _subtract(interval: Interval, pauses: list[Interval]) -> Iterator[Interval]:
    start, end = interval
    for p_start, p_end in pauses:
        if p_end <= start or p_start >= end:
            continue
        if p_start > start:
            yield (start, p_start)
        start = max(start, p_end)
        if start >= end:
            return
    if start < end:
        yield (start, end)


def due_at(
    spec: CalendarSpec, start: datetime, target: timedelta, pauses: Iterable[Interval] = ()
) -> datetime:
    """The earliest instant at which `target` of business time has elapsed since `start`."""
    if target < timedelta(0):
        raise ValueError("A target cannot be negative.")
    if target == timedelta(0):
        return start
    merged_pauses = merge(pauses)
    remaining = target
    for interval in open_intervals(spec, start):
        for piece_start, piece_end in _subtract(interval, merged_pauses):
            length = piece_end - piece_start
            if remaining <= length:
                return piece_start + remaining
            remaining -= length
    raise ValueError("The calendar has no business time within the horizon.")


def business_time_between(
    spec: CalendarSpec, start: datetime, end: datetime, pauses: Iterable[Interval] = ()
) -> timedelta:
    """Business time in [start, end), minus pauses."""
    if end <= start:
        return timedelta(0)
    merged_pauses = merge(pauses)
    total = timedelta(0)
    for interval in open_intervals(spec, start):
        if interval[0] >= end:
            break
        clipped = (interval[0], min(interval[1], end))
        for piece_start, piece_end in _subtract(clipped, merged_pauses):
            total += piece_end - piece_start
    return total
