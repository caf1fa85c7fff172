from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError

from tickets.models import BusinessCalendar, CalendarPeriod, SlaPolicy
from tickets.models.sla import check_periods

pytestmark = pytest.mark.django_db


def test_overlapping_periods_are_refused_with_the_day_and_times():
    with pytest.raises(
        ValidationError, match="Monday: 09:00-13:00 overlaps the period starting at 12:00"
    ):
        check_periods([(0, time(9), time(13)), (0, time(12), time(17))])


def test_a_period_running_to_midnight_overlaps_a_later_one():
    with pytest.raises(ValidationError, match="Friday: 20:00-24:00 overlaps"):
        check_periods([(4, time(20), None), (4, time(22), time(23))])


def test_empty_period_is_refused():
    with pytest.raises(ValidationError, match="Tuesday 10:00-10:00 is empty or backwards"):
        check_periods([(1, time(10), time(10))])


def test_a_calendar_needs_a_period():
    with pytest.raises(ValidationError, match="at least one business period"):
        check_periods([])


def test_touching_periods_and_separate_days_are_fine():
    check_periods([(0, time(9), time(12)), (0, time(12), time(17)), (1, time(0), None)])


def test_period_model_refuses_closing_before_opening():
    calendar = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin")
    with pytest.raises(ValidationError) as excinfo:
        CalendarPeriod(calendar=calendar, weekday=0, opens=time(17), closes=time(9)).full_clean()
    assert "must close after it opens" in str(excinfo.value)


def test_unknown_timezone_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        BusinessCalendar(name="Mars base", timezone="Mars/Olympus_Mons").full_clean()
    assert "“Mars/Olympus_Mons” is not a known IANA time zone" in str(excinfo.value)


@pytest.mark.parametrize("value", [timedelta(0), timedelta(minutes=-5)])
def test_zero_or_negative_targets_are_refused(value):
    policy = SlaPolicy(
        name="Bad", calendar=BusinessCalendar.objects.get(name="24/7"), first_response=value
    )
    with pytest.raises(ValidationError) as excinfo:
        policy.full_clean()
    assert excinfo.value.message_dict["first_response"] == ["A target must be longer than zero."]


def test_the_database_refuses_a_zero_target_too():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SlaPolicy.objects.create(
            name="Bad", calendar=BusinessCalendar.objects.get(name="24/7"), resolution=timedelta(0)
        )
