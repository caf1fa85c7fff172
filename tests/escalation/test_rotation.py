"""Schedule arithmetic across DST changes, layers and overrides (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from escalation.rotation import OverrideRule, RotationRule, on_call_at, resolve, rotation_shifts

OSLO, NY = "Europe/Oslo", "America/New_York"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rule(key=1, layer=1, length="weekly", tz=OSLO, at=time(9), members=(1, 2, 3), **kw):
    return RotationRule(
        key=key,
        layer=layer,
        length=length,
        handoff_time=at,
        time_zone=tz,
        starts_on=kw.pop("starts_on", date(2026, 3, 2)),
        members=members,
        **kw,
    )


def test_weekly_handoff_stays_at_local_nine_across_spring_forward_in_oslo():
    # Oslo moves to summer time on Sunday 29 March 2026.
    shifts = list(rotation_shifts(rule(), utc(2026, 3, 16), utc(2026, 4, 7)))
    starts = [s.starts_at.astimezone(ZoneInfo(OSLO)) for s in shifts]
    assert [(d.date(), d.hour, d.minute) for d in starts] == [
        (date(2026, 3, 9), 9, 0),
        (date(2026, 3, 16), 9, 0),
        (date(2026, 3, 23), 9, 0),
        (date(2026, 3, 30), 9, 0),
        (date(2026, 4, 6), 9, 0),
    ]
    # The week across the change is an hour short in real time.
    assert shifts[2].ends_at - shifts[2].starts_at == timedelta(days=7, hours=-1)
    assert [s.user for s in shifts] == [2, 3, 1, 2, 3]


def test_daily_shift_on_new_york_dst_days_lasts_23_and_25_hours():
    daily = rule(length="daily", tz=NY, members=(7, 8), starts_on=date(2026, 3, 1))
    spring = next(rotation_shifts(daily, utc(2026, 3, 7, 15), utc(2026, 3, 7, 16)))
    assert spring.ends_at - spring.starts_at == timedelta(hours=23)  # 8 March 2026
    fall = next(rotation_shifts(daily, utc(2026, 10, 31, 14), utc(2026, 10, 31, 15)))
    assert fall.ends_at - fall.starts_at == timedelta(hours=25)  # 1 November 2026
    assert fall.starts_at.astimezone(ZoneInfo(NY)).hour == 9
    assert fall.ends_at.astimezone(ZoneInfo(NY)).hour == 9


def test_handoff_in_the_skipped_hour_is_the_instant_the_clock_jumps():
    daily = rule(length="daily", at=time(2, 30), members=(1, 2), starts_on=date(2026, 3, 27))
    shifts = list(rotation_shifts(daily, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12)))
    # 02:30 does not exist in Oslo on 29 March: the handoff is the jump, 01:00 UTC.
    assert shifts[1].starts_at == utc(2026, 3, 29, 1)


def test_repeated_hour_handoff_is_its_first_occurrence():
    daily = rule(length="daily", at=time(2, 30), members=(1, 2), starts_on=date(2026, 10, 20))
    shifts = list(rotation_shifts(daily, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12)))
    assert shifts[1].starts_at == utc(2026, 10, 25, 0, 30)  # 02:30 CEST


def test_custom_twelve_hour_shifts_keep_their_wall_times():
    twelve = rule(length="custom", shift_hours=12, at=time(8), tz=NY, members=(1, 2))
    shifts = list(rotation_shifts(twelve, utc(2026, 3, 7), utc(2026, 3, 10)))
    locals_ = {s.starts_at.astimezone(ZoneInfo(NY)).strftime("%H:%M") for s in shifts}
    assert locals_ == {"08:00", "20:00"}


def test_higher_layer_covers_lower_where_it_has_someone_and_override_covers_all():
    primary = rule(key=1, layer=1, members=(1, 2))
    # A weekend layer only for two days: 18:00 Friday, a 60 h custom shift with one member.
    weekend = rule(
        key=2,
        layer=2,
        length="custom",
        shift_hours=60,
        at=time(18),
        members=(9,),
        starts_on=date(2026, 3, 13),
        ends_on=date(2026, 3, 16),
    )
    cover = OverrideRule(
        key=5, user=4, starts_at=utc(2026, 3, 14, 10), ends_at=utc(2026, 3, 14, 12)
    )
    got = resolve([primary, weekend], [cover], utc(2026, 3, 13), utc(2026, 3, 17))
    assert [(s.starts_at, s.user, s.override) for s in got] == [
        (utc(2026, 3, 13), 2, None),
        (utc(2026, 3, 13, 17), 9, None),  # Friday 18:00 Oslo
        (utc(2026, 3, 14, 10), 4, 5),
        (utc(2026, 3, 14, 12), 9, None),
        (utc(2026, 3, 15, 23), 2, None),  # the weekend layer ends at local midnight
        (utc(2026, 3, 16, 8), 1, None),
    ]


def test_no_rotation_member_means_a_gap():
    got = resolve([rule(members=())], [], utc(2026, 3, 13), utc(2026, 3, 14))
    assert [(s.user, s.starts_at, s.ends_at) for s in got] == [
        (None, utc(2026, 3, 13), utc(2026, 3, 14))
    ]


def test_before_a_rotation_starts_nobody_is_on_call():
    got = resolve([rule(starts_on=date(2026, 3, 4))], [], utc(2026, 3, 2), utc(2026, 3, 10))
    assert got[0].user is None
    assert got[0].ends_at == utc(2026, 3, 9, 8)  # first Monday 09:00 on or after 4 March


# Property: the resolved timeline is contiguous, and at every instant in it the answer is
# exactly the layering rule applied to each rotation's own shift at that instant.

zones = st.sampled_from([OSLO, NY])
rules_ = st.builds(
    lambda key, layer, length, hours, weekday, hour, tz, day, members: RotationRule(
        key=key,
        layer=layer,
        length=length,
        handoff_time=time(hour),
        time_zone=tz,
        starts_on=date(2026, 3, 1) + timedelta(days=day),
        members=tuple(members),
        handoff_weekday=weekday,
        shift_hours=hours if length == "custom" else None,
    ),
    key=st.integers(1, 1000),
    layer=st.integers(1, 3),
    length=st.sampled_from(["weekly", "daily", "custom"]),
    hours=st.integers(1, 72),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    tz=zones,
    day=st.integers(0, 20),
    members=st.lists(st.integers(1, 6), max_size=4),
)


def _oracle(rules, overrides, t):
    for o in sorted(overrides, key=lambda o: -o.key):
        if o.starts_at <= t < o.ends_at:
            return o.user
    for r in sorted(rules, key=lambda r: (-r.layer, r.key)):
        for s in rotation_shifts(r, t, t + timedelta(microseconds=1)):
            if s.starts_at <= t < s.ends_at:
                return s.user
    return None


@settings(max_examples=60, deadline=None)
@given(
    rules=st.lists(rules_, max_size=3, unique_by=lambda r: r.key),
    cover=st.lists(
        st.tuples(st.integers(0, 400), st.integers(1, 60), st.integers(1, 6)), max_size=3
    ),
    probes=st.lists(st.integers(0, 28 * 24 * 60 - 1), min_size=1, max_size=25),
)
def test_every_instant_is_covered_by_exactly_the_layer_rules_answer(rules, cover, probes):
    start = utc(2026, 3, 15)  # four weeks spanning both zones' spring changes
    end = start + timedelta(days=28)
    overrides = [
        OverrideRule(i + 1, user, start + timedelta(hours=h), start + timedelta(hours=h + n))
        for i, (h, n, user) in enumerate(cover)
    ]
    got = resolve(rules, overrides, start, end)
    assert got[0].starts_at == start
    assert got[-1].ends_at == end
    assert all(a.ends_at == b.starts_at for a, b in zip(got, got[1:], strict=False))
    for minutes in probes:
        t = start + timedelta(minutes=minutes)
        holding = next(s for s in got if s.starts_at <= t < s.ends_at)
        assert holding.user == _oracle(rules, overrides, t)
        assert on_call_at(rules, overrides, t).user == holding.user
