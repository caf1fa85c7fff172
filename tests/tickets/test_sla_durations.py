"""Business durations in words: hours of business time, with working days on the calendar."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse

from tests.factories import make_ticket
from tickets.models import BusinessCalendar, CalendarPeriod, SlaPolicy
from tickets.sla.businesstime import CalendarSpec, Period
from tickets.sla.durations import describe

OFFICE = CalendarSpec("Europe/Berlin", tuple(Period(d, time(9), time(17)) for d in range(5)))
WEEKDAYS = CalendarSpec("UTC", tuple(Period(d, time(0), None) for d in range(5)))


@pytest.mark.parametrize(
    ("value", "spec", "words"),
    [
        (timedelta(days=2), OFFICE, "48 business hours, about 6 working days on this calendar"),
        (timedelta(hours=8), OFFICE, "8 business hours, about 1 working day on this calendar"),
        (timedelta(hours=12), OFFICE, "12 business hours, about 1.5 working days on this calendar"),
        (timedelta(hours=4), OFFICE, "4 business hours"),
        (timedelta(hours=1, minutes=30), OFFICE, "1 business hour 30 min"),
        (timedelta(minutes=45, seconds=30), OFFICE, "45 business minutes"),
        (timedelta(hours=72), WEEKDAYS, "72 business hours, about 3 working days on this calendar"),
        (timedelta(minutes=15), CalendarSpec.always_open(), "15 minutes, around the clock"),
        (timedelta(hours=4), CalendarSpec.always_open(), "4 hours, around the clock"),
        (None, OFFICE, "—"),
    ],
)
def test_durations_are_told_in_business_hours(value, spec, words):
    assert describe(value, spec) == words


@pytest.fixture
def office_policy(db):
    calendar = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin")
    for weekday in range(5):
        CalendarPeriod.objects.create(
            calendar=calendar, weekday=weekday, opens=time(9), closes=time(17)
        )
    return SlaPolicy.objects.create(
        name="P3 office hours",
        position=1,
        severity=3,
        calendar=calendar,
        first_response=timedelta(hours=4),
        resolution=timedelta(days=2),
    )


@pytest.mark.django_db
def test_the_ticket_pages_sla_panel_tells_targets_in_business_hours(
    client, agent, org_a, office_policy
):
    ticket = make_ticket(actor=agent, organization=org_a, severity=3)
    client.force_login(agent)

    html = client.get(reverse("ticket_detail", args=[ticket.key])).content.decode()
    panel = html[
        html.index('id="sla-panel"') : html.index("</section>", html.index('id="sla-panel"'))
    ]

    assert "48 business hours, about 6 working days on this calendar" in panel
    assert "2d 0h" not in panel
    assert "P3 office hours: 48 h of Berlin office time" in panel


@pytest.mark.django_db
def test_the_sla_page_tells_targets_in_business_hours(client, manager, office_policy):
    client.force_login(manager)

    html = client.get(reverse("sla_overview")).content.decode()

    assert "48 business hours, about 6 working days on this calendar" in html
    assert "2d 0h" not in html
