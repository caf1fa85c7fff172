"""Schedule arithmetic: pure functions of (rules, instants), no database.

Every handoff is a local wall-clock time in the rotation's IANA zone, so a handoff at 09:00 stays
at 09:00 across daylight-saving changes; a shift that spans a change is an hour shorter or longer
in real time (a "daily" shift on the spring-forward day lasts 23 hours, on the fall-back day 25).
A wall time that does not exist is the instant the clock jumps; a repeated one is its first
occurrence (the same rule as the SLA calendars, tickets.sla.businesstime).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tickets.sla.businesstime import local_to_utc

WEEKLY, DAILY, CUSTOM = "weekly", "daily", "custom"
# The longest shift a rule can produce (a custom length is capped at two weeks), so looking this
# far back always finds the shift that holds a given instant.
LONGEST_SHIFT = timedelta(days=15)


@dataclass(frozen=True)
class RotationRule:
    key: int
    layer: int
    length: str
    handoff_time: time
    time_zone: str
    starts_on: date
    members: tuple[int, ...]  # user ids in turn order
    handoff_weekday: int = 0
    shift_hours: int | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class OverrideRule:
    key: int
    user: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Segment:
    """[starts_at, ends_at) with `user` on call (None: nobody), and where the answer came from."""

    starts_at: datetime
    ends_at: datetime
    user: int | None
    rotation: int | None = None
    override: int | None = None


def _wall(naive: datetime, zone: ZoneInfo) -> datetime:
    return local_to_utc(naive.date(), naive.time(), zone)


def _first_local(rule: RotationRule) -> datetime:
    """The naive local wall time of the first handoff."""
    day = rule.starts_on
    if rule.length == WEEKLY:
        day += timedelta(days=(rule.handoff_weekday - day.weekday()) % 7)
    return datetime.combine(day, rule.handoff_time)


def _step(rule: RotationRule) -> timedelta:
    if rule.length == WEEKLY:
        return timedelta(days=7)
    if rule.length == DAILY:
        return timedelta(days=1)
    return timedelta(hours=rule.shift_hours or 24)


def shift_start(rule: RotationRule, index: int) -> datetime:
    """The UTC start of the rotation's shift number `index` (0 is the first member's first)."""
    return _wall(_first_local(rule) + index * _step(rule), ZoneInfo(rule.time_zone))


def _end_of_rule(rule: RotationRule) -> datetime | None:
    if rule.ends_on is None:
        return None
    return local_to_utc(rule.ends_on, time(0), ZoneInfo(rule.time_zone))


def rotation_shifts(rule: RotationRule, start: datetime, end: datetime) -> Iterator[Segment]:
    """The rotation's shifts that overlap [start, end), unclipped, in order."""
    if not rule.members or start >= end:
        return
    zone = ZoneInfo(rule.time_zone)
    first = _first_local(rule)
    step = _step(rule)
    # Local wall time runs at most a few hours off real time: start two shifts early and walk.
    local_start = start.astimezone(zone).replace(tzinfo=None)
    index = max(0, int((local_start - first) / step) - 2)
    stop = _end_of_rule(rule)
    while True:
        begins = _wall(first + index * step, zone)
        ends = _wall(first + (index + 1) * step, zone)
        if stop is not None:
            ends = min(ends, stop)
        if begins >= end or (stop is not None and begins >= stop):
            return
        if ends > start and ends > begins:
            member = rule.members[index % len(rule.members)]
            yield Segment(begins, ends, member, rotation=rule.key)
        index += 1


def _at(segments: Sequence[Segment], starts: Sequence[datetime], instant: datetime):
    i = bisect.bisect_right(starts, instant) - 1
    if i >= 0 and segments[i].ends_at > instant:
        return segments[i]
    return None


def resolve(
    rules: Iterable[RotationRule],
    overrides: Iterable[OverrideRule],
    start: datetime,
    end: datetime,
) -> list[Segment]:
    """Who is on call over [start, end), as contiguous segments (gaps have user None).

    An override covers everything beneath it (the latest one wins where two overlap); otherwise
    the highest layer with someone on call answers (between rotations on one layer, the first by
    key). Adjacent segments with the same person and the same source override are merged.
    """
    if start >= end:
        return []
    ordered = sorted(rules, key=lambda r: (-r.layer, r.key))
    layers = [list(rotation_shifts(r, start, end)) for r in ordered]
    covers = sorted(
        (o for o in overrides if o.ends_at > start and o.starts_at < end), key=lambda o: -o.key
    )
    bounds = {start, end}
    for segments in layers:
        for s in segments:
            bounds.update((s.starts_at, s.ends_at))
    for o in covers:
        bounds.update((o.starts_at, o.ends_at))
    cuts = sorted(b for b in bounds if start <= b <= end)
    indexed = [(segments, [s.starts_at for s in segments]) for segments in layers]

    out: list[Segment] = []
    for begins, ends in zip(cuts, cuts[1:], strict=False):
        piece = _answer(indexed, covers, begins, ends)
        last = out[-1] if out else None
        if last and (last.user, last.override) == (piece.user, piece.override):
            out[-1] = Segment(last.starts_at, ends, last.user, last.rotation, last.override)
        else:
            out.append(piece)
    return out


def _answer(indexed, covers: list[OverrideRule], begins: datetime, ends: datetime) -> Segment:
    for o in covers:
        if o.starts_at <= begins < o.ends_at:
            return Segment(begins, ends, o.user, override=o.key)
    for segments, starts in indexed:
        found = _at(segments, starts, begins)
        if found is not None:
            return Segment(begins, ends, found.user, rotation=found.rotation)
    return Segment(begins, ends, None)


def on_call_at(
    rules: Iterable[RotationRule], overrides: Iterable[OverrideRule], at: datetime
) -> Segment:
    """The segment that holds `at`, computed from the rules alone (its start may be clipped)."""
    return resolve(rules, overrides, at, at + timedelta(microseconds=1))[0]
