"""Business-time arithmetic: the decisions of DESIGN.md section 5, one test each, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.sla.businesstime import (
    CalendarSpec,
    Period,
    business_time_between,
    due_at,
    local_to_utc,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)


def weekdays(tz: str, opens=time(9), closes=time(17), holidays=()) -> CalendarSpec:
    return CalendarSpec(tz, tuple(Period(d, opens, closes) for d in range(5)), frozenset(holidays))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


NINE_TO_FIVE_UTC = weekdays("UTC")


def test_within_one_period():
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 10), 4 * H) == utc(2026, 11, 23, 14)


def test_running_out_exactly_at_close_is_due_at_close_not_next_opening():
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 9), 8 * H) == utc(2026, 11, 23, 17)


def test_carries_over_to_the_next_business_day():
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 16), 2 * H) == utc(2026, 11, 24, 10)


def test_friday_evening_carries_over_the_weekend():
    # 2026-11-27 is a Friday
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 27, 16, 30), H) == utc(2026, 11, 30, 9, 30)


def test_start_outside_business_hours_begins_at_next_opening():
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 6), H) == utc(2026, 11, 23, 10)
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 28, 12), H) == utc(2026, 11, 30, 10)  # Saturday


def test_zero_target_is_due_at_the_start_itself_even_outside_hours():
    start = utc(2026, 11, 28, 3, 14, 15)
    assert due_at(NINE_TO_FIVE_UTC, start, timedelta(0)) == start


def test_seconds_are_kept():
    start = utc(2026, 11, 23, 10, 0, 7, 250000)
    assert due_at(NINE_TO_FIVE_UTC, start, timedelta(seconds=90)) == utc(
        2026, 11, 23, 10, 1, 37, 250000
    )


def test_negative_target_is_refused():
    with pytest.raises(ValueError, match="negative"):
        due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 10), -M)


def test_several_periods_a_day_skip_the_lunch_break():
    spec = CalendarSpec(
        "UTC",
        tuple(
            p
            for d in range(5)
            for p in (Period(d, time(9), time(12)), Period(d, time(13), time(17)))
        ),
    )
    assert due_at(spec, utc(2026, 11, 23, 11), 2 * H) == utc(2026, 11, 23, 14)
    assert business_time_between(spec, utc(2026, 11, 23, 8), utc(2026, 11, 23, 18)) == 7 * H


def test_late_and_early_periods_join_across_midnight():
    spec = CalendarSpec(
        "UTC",
        tuple(
            p for d in range(7) for p in (Period(d, time(22), None), Period(d, time(0), time(6)))
        ),
    )
    assert due_at(spec, utc(2026, 11, 23, 23), 2 * H) == utc(2026, 11, 24, 1)
    assert business_time_between(spec, utc(2026, 11, 23, 21), utc(2026, 11, 24, 7)) == 8 * H


def test_holiday_closes_its_whole_local_date():
    spec = weekdays("Europe/Berlin", holidays={date(2026, 12, 25)})
    # Thursday 24 Dec 16:00 Berlin (15:00 UTC) + 2h -> Friday is a holiday -> Monday 28 Dec 10:00
    assert due_at(spec, utc(2026, 12, 24, 15), 2 * H) == utc(2026, 12, 28, 9)


def test_holiday_follows_the_calendar_zone_not_utc():
    # Sydney (UTC+11 in December) closes 25 Dec local: 24 Dec 13:00 UTC to 25 Dec 13:00 UTC.
    spec = CalendarSpec(
        "Australia/Sydney",
        tuple(Period(d, time(0), None) for d in range(7)),
        frozenset({date(2026, 12, 25)}),
    )
    assert business_time_between(spec, utc(2026, 12, 24, 13), utc(2026, 12, 25, 13)) == timedelta(0)
    assert business_time_between(spec, utc(2026, 12, 24, 12), utc(2026, 12, 25, 14)) == 2 * H


def test_24_7_calendar_is_plain_elapsed_time():
    spec = CalendarSpec.always_open()
    start = utc(2026, 3, 29, 0, 30)
    assert due_at(spec, start, 4 * H) == start + 4 * H


# ---- DST ------------------------------------------------------------------------------------


def test_spring_forward_europe_shortens_a_period_containing_the_skipped_hour():
    # Europe/Paris jumps 02:00 -> 03:00 on Sunday 2026-03-29.
    spec = CalendarSpec("Europe/Paris", (Period(6, time(0), time(6)),))
    day_start = utc(2026, 3, 28, 23)  # 00:00 CET
    assert business_time_between(spec, day_start, day_start + 24 * H) == 5 * H


def test_fall_back_europe_counts_the_repeated_hour_twice():
    # Europe/Paris repeats 02:00-03:00 on Sunday 2026-10-25.
    spec = CalendarSpec("Europe/Paris", (Period(6, time(0), time(6)),))
    day_start = utc(2026, 10, 24, 22)  # 00:00 CEST
    assert business_time_between(spec, day_start, day_start + 24 * H) == 7 * H


def test_spring_forward_america_moves_the_opening_in_utc():
    # America/New_York jumps on Sunday 2026-03-08; Monday 9:00 is now 13:00 UTC, not 14:00.
    spec = weekdays("America/New_York")
    # Fri 16:30 EST (21:30 UTC): 30 min on Friday, 30 min from Monday 9:00 EDT.
    assert due_at(spec, utc(2026, 3, 6, 21, 30), H) == utc(2026, 3, 9, 13, 30)
    assert local_to_utc(date(2026, 3, 9), time(9), spec.zone) == utc(2026, 3, 9, 13)


def test_boundary_at_a_skipped_local_time_is_the_jump_instant():
    zone = CalendarSpec("America/New_York", ()).zone
    # 02:30 does not exist on 2026-03-08; the clock jumps at 07:00 UTC.
    assert local_to_utc(date(2026, 3, 8), time(2, 30), zone) == utc(2026, 3, 8, 7)


def test_boundary_at_a_repeated_local_time_is_its_first_occurrence():
    zone = CalendarSpec("America/New_York", ()).zone
    # 01:30 happens twice on 2026-11-01: first at 05:30 UTC (EDT), again at 06:30 UTC (EST).
    assert local_to_utc(date(2026, 11, 1), time(1, 30), zone) == utc(2026, 11, 1, 5, 30)


def test_period_starting_in_the_gap_opens_at_the_jump():
    spec = CalendarSpec("America/New_York", (Period(6, time(2, 30), time(5)),))
    # 2026-03-08: opens at the jump (07:00 UTC = 03:00 EDT), closes 05:00 EDT (09:00 UTC).
    assert business_time_between(spec, utc(2026, 3, 8), utc(2026, 3, 9)) == 2 * H


# ---- pauses ---------------------------------------------------------------------------------


def test_pauses_do_not_count():
    pauses = [(utc(2026, 11, 23, 10), utc(2026, 11, 23, 12))]
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 9), 3 * H, pauses) == utc(2026, 11, 23, 14)
    assert (
        business_time_between(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 9), utc(2026, 11, 23, 17), pauses)
        == 6 * H
    )


def test_overlapping_pauses_merge():
    pauses = [
        (utc(2026, 11, 23, 10), utc(2026, 11, 23, 11)),
        (utc(2026, 11, 23, 10, 30), utc(2026, 11, 23, 12)),
    ]
    assert (
        business_time_between(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 9), utc(2026, 11, 23, 17), pauses)
        == 6 * H
    )


def test_target_running_out_as_a_pause_starts_is_due_at_that_instant():
    pauses = [(utc(2026, 11, 23, 11), utc(2026, 11, 23, 13))]
    assert due_at(NINE_TO_FIVE_UTC, utc(2026, 11, 23, 9), 2 * H, pauses) == utc(2026, 11, 23, 11)


def test_pause_is_exact_to_the_microsecond():
    pauses = [(utc(2026, 11, 23, 10, 0, 0, 1), utc(2026, 11, 23, 10, 0, 30, 2))]
    assert business_time_between(
        NINE_TO_FIVE_UTC, utc(2026, 11, 23, 10), utc(2026, 11, 23, 11), pauses
    ) == H - timedelta(seconds=30, microseconds=1)


# ---- properties -----------------------------------------------------------------------------

CALENDARS = st.sampled_from(
    [
        NINE_TO_FIVE_UTC,
        weekdays("Europe/Berlin", holidays={date(2026, 12, 25), date(2027, 1, 1)}),
        weekdays("America/New_York"),
        CalendarSpec(
            "Europe/Paris",
            tuple(
                p
                for d in range(7)
                for p in (Period(d, time(0), time(6)), Period(d, time(22), None))
            ),
        ),
        CalendarSpec(
            "America/Los_Angeles",
            tuple(
                p
                for d in range(5)
                for p in (Period(d, time(8), time(12)), Period(d, time(13), time(18)))
            ),
        ),
        CalendarSpec.always_open(),
    ]
)
INSTANTS = st.datetimes(
    # hypothesis takes naive bounds and attaches the zone itself
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5))


@settings(max_examples=150, deadline=None)
@given(CALENDARS, INSTANTS, INSTANTS, INSTANTS)
def test_business_time_is_additive(spec, a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_time_between(spec, a, b) + business_time_between(
        spec, b, c
    ) == business_time_between(spec, a, c)


@settings(max_examples=150, deadline=None)
@given(CALENDARS, INSTANTS, DURATIONS)
def test_due_at_is_the_inverse_of_business_time(spec, start, target):
    due = due_at(spec, start, target)
    assert business_time_between(spec, start, due) == target
    # and it is the earliest such instant
    if target:
        assert business_time_between(spec, start, due - timedelta(microseconds=1)) < target


@settings(max_examples=150, deadline=None)
@given(CALENDARS, INSTANTS, DURATIONS, DURATIONS)
def test_due_at_is_monotonic_in_the_target(spec, start, t1, t2):
    t1, t2 = sorted((t1, t2))
    assert due_at(spec, start, t1) <= due_at(spec, start, t2)


@settings(max_examples=100, deadline=None)
@given(CALENDARS, INSTANTS, INSTANTS, DURATIONS)
def test_due_at_is_monotonic_in_the_start(spec, s1, s2, target):
    s1, s2 = sorted((s1, s2))
    assert due_at(spec, s1, target) <= due_at(spec, s2, target)


@settings(max_examples=100, deadline=None)
@given(
    CALENDARS,
    INSTANTS,
    DURATIONS,
    INSTANTS,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
)
def test_a_pause_never_brings_the_due_time_forward(spec, start, target, pause_start, pause_len):
    pauses = [(pause_start, pause_start + pause_len)]
    assert due_at(spec, start, target, pauses) >= due_at(spec, start, target)
    due = due_at(spec, start, target, pauses)
    assert business_time_between(spec, start, due, pauses) == target
