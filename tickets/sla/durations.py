"""Durations of business time in words. A target of "2 days" is 48 hours of business time: on a
09:00-17:00 calendar that is six working days, so it is never shown as days of the week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .businesstime import CalendarSpec

WEEK = timedelta(days=7)
_DAY = date(2000, 1, 3)
_NEXT_MIDNIGHT = datetime.combine(_DAY, time(0)) + timedelta(days=1)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def hours_text(value: timedelta, *, business: bool = True) -> str:
    """'45 business minutes', '48 business hours', '2 business hours 30 min' (seconds dropped)."""
    minutes = int(abs(value).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    kind = "business " if business else ""
    if hours == 0:
        return _plural(rest, f"{kind}minute")
    text = _plural(hours, f"{kind}hour")
    return f"{text} {rest} min" if rest else text


def _weekly(spec: CalendarSpec) -> tuple[timedelta, int]:
    """Business time in a week and the number of weekdays that have any."""
    total = timedelta(0)
    days = set()
    for period in spec.periods:
        opens = datetime.combine(_DAY, period.opens)
        # No closing time means 24:00, the next midnight.
        closes = datetime.combine(_DAY, period.closes) if period.closes else _NEXT_MIDNIGHT
        total += closes - opens
        days.add(period.weekday)
    return total, len(days)


def is_around_the_clock(spec: CalendarSpec) -> bool:
    return _weekly(spec)[0] >= WEEK


def working_day(spec: CalendarSpec) -> timedelta | None:
    """The business time of an average open day of the calendar (None without periods)."""
    total, days = _weekly(spec)
    return total / days if days else None


def _days_text(days: float) -> str:
    whole = round(days)
    if abs(days - whole) < 0.05:
        return f"about {_plural(whole, 'working day')}"
    return f"about {days:.1f} working days"


def describe(value: timedelta | None, spec: CalendarSpec | None) -> str:
    """A target in words, on its calendar: '48 business hours, about 6 working days on this
    calendar'; on a calendar that never closes, '48 hours, around the clock'."""
    if value is None:
        return "—"
    if spec is None:
        return hours_text(value)
    if is_around_the_clock(spec):
        return f"{hours_text(value, business=False)}, around the clock"
    text = hours_text(value)
    day = working_day(spec)
    if day and abs(value) >= day:
        text += f", {_days_text(abs(value) / day)} on this calendar"
    return text
