"""On-call pages: access, the schedule page's queries, cover from the page, iCal feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from escalation.models import Override, Schedule
from escalation.oncall import oncall_at
from escalation.services import override_create
from helpdesk.models import Role
from tests.escalation.oncall_factories import make_schedule
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 25, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people():
    return [make_agent(role=Role.ENGINEER, username=n) for n in "abc"]


@pytest.fixture
def schedule(people):
    return make_schedule(members=people, now=NOW)


def test_customers_get_404_on_every_oncall_page(client, customer_a, schedule):
    client.force_login(customer_a)
    for url in (
        reverse("oncall"),
        reverse("oncall_schedule", args=[schedule.pk]),
        reverse("oncall_override_form", args=[schedule.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("oncall_override_add", args=[schedule.pk]))
    assert response.status_code == 404
    assert not Override.objects.exists()


def test_list_shows_who_is_on_call_now_and_next(client, agent, schedule, people):
    client.force_login(agent)
    body = client.get(reverse("oncall")).content.decode()
    assert people[0].display_name in body
    assert people[1].display_name in body


def test_schedule_page_query_count_does_not_grow_with_covers(
    client, agent, schedule, people, django_assert_max_num_queries
):
    client.force_login(agent)
    url = reverse("oncall_schedule", args=[schedule.pk])
    client.get(url)
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for day in range(1, 10):
        start = NOW + timedelta(days=day)
        override_create(
            schedule=schedule,
            user=people[day % 3],
            covers_for=None,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            actor=make_agent(role=Role.MANAGER),
            now=NOW,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("cal-piece is-cover") >= 9


def test_ill_cover_from_the_page_makes_me_on_call(client, schedule, people):
    a, b, c = people
    client.force_login(b)
    start = NOW + timedelta(days=1)
    response = client.post(
        reverse("oncall_override_add", args=[schedule.pk]),
        {
            "starts_at": "2026-03-26T13:00",
            "ends_at": "2026-03-26T17:00",
            "covers_for": a.pk,
            "user": "",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == reverse("oncall_schedule", args=[schedule.pk])
    assert oncall_at(schedule, start + timedelta(hours=1, minutes=30)) == [b]  # 14:30 Oslo


def test_a_refused_cover_says_why_and_writes_nothing(client, schedule, people):
    client.force_login(people[1])
    response = client.post(
        reverse("oncall_override_add", args=[schedule.pk]),
        {"starts_at": "2026-03-26T17:00", "ends_at": "2026-03-26T13:00", "user": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()
    assert not Override.objects.exists()


def test_schedule_feed_is_valid_ical_and_a_new_secret_stops_the_old_url(
    client, schedule, people, manager
):
    old = reverse("oncall_feed", args=[schedule.feed_token])
    response = client.get(old)
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events[:2]] == [p.display_name for p in people[:2]]
    assert events[0].decoded("DTSTART") == datetime(2026, 3, 23, 8, tzinfo=UTC)

    client.force_login(manager)
    client.post(reverse("oncall_feed_rotate", args=[schedule.pk]))
    schedule.refresh_from_db()
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(reverse("oncall_feed", args=[schedule.feed_token])).status_code == 200


def test_only_managers_rotate_a_schedule_feed(client, schedule, agent):
    token = schedule.feed_token
    client.force_login(agent)
    client.post(reverse("oncall_feed_rotate", args=[schedule.pk]))
    assert Schedule.objects.get(pk=schedule.pk).feed_token == token


def test_personal_feed_lists_my_shifts_across_schedules_and_rotates(client, people):
    a = people[0]
    make_schedule(members=[a], now=NOW, name="Primary")
    make_schedule(members=[people[1], a], now=NOW, name="Secondary")
    client.force_login(a)
    client.post(reverse("oncall_my_feed_rotate"))
    old = reverse("oncall_my_feed", args=[a.oncall_feed.token])
    client.logout()
    events = Calendar.from_ical(client.get(old).content).walk("VEVENT")
    summaries = {str(e["SUMMARY"]).split(":")[0] for e in events}
    assert summaries == {"Primary", "Secondary"}
    client.force_login(a)
    client.post(reverse("oncall_my_feed_rotate"))
    client.logout()
    assert client.get(old).status_code == 404
