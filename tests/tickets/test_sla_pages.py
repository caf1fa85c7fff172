from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation.paging.services import KIND as PAGE_KIND
from helpdesk import engine
from helpdesk.models import Notification, Role
from tests.factories import UserFactory, make_ticket
from tickets import notifications
from tickets.models import BusinessCalendar

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def admin_user():
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


def test_calendar_with_overlapping_periods_is_refused_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    data = {
        "name": "Berlin office",
        "timezone": "Europe/Berlin",
        "periods-TOTAL_FORMS": "2",
        "periods-INITIAL_FORMS": "0",
        "periods-0-weekday": "0",
        "periods-0-opens": "09:00",
        "periods-0-closes": "13:00",
        "periods-1-weekday": "0",
        "periods-1-opens": "12:00",
        "periods-1-closes": "17:00",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:tickets_businesscalendar_add"), data)
    assert response.status_code == 200
    assert "Monday: 09:00-13:00 overlaps the period starting at 12:00." in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Berlin office").exists()


def test_calendar_with_unknown_timezone_is_refused_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    data = {
        "name": "Nowhere",
        "timezone": "Europe/Atlantis",
        "periods-TOTAL_FORMS": "1",
        "periods-INITIAL_FORMS": "0",
        "periods-0-weekday": "0",
        "periods-0-opens": "09:00",
        "periods-0-closes": "17:00",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:tickets_businesscalendar_add"), data)
    assert "is not a time zone of the IANA list" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Nowhere").exists()


def test_sla_overview_shows_which_policy_applies(client, manager):
    client.force_login(manager)
    response = client.get(reverse("sla_overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "P1 Critical" in html
    assert "Weekdays 24x5" in html
    matrix = response.context["matrix"]
    assert len(matrix) == 12  # 4 severities x 3 tiers
    assert {p.name for p in matrix[0]["cells"]} == {"P1 Critical"}


def test_ticket_page_explains_each_target(client, agent, org_a):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org_a, severity=1)
    client.force_login(agent)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        html = client.get(reverse("ticket_detail", args=[ticket.key])).content.decode()
    assert "P1 Critical: 15 min of 24/7 time (UTC) from 2026-11-23 10:00 UTC" in html
    assert "Mon 23 Nov, 10:15 UTC" in html  # first response due
    assert "5 minutes · 10 minutes left" in html  # used and left, on a 24/7 calendar


def test_bell_counts_unread_and_opening_marks_read(client, agent, org_a):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org_a, severity=1, assignee=agent)
    with time_machine.travel(T0 + timedelta(minutes=13), tick=False):
        engine.tick()
    client.force_login(agent)
    # The SLA warning, and the page a P1 sends its assignee when no one is on call.
    kinds = sorted(Notification.objects.filter(user=agent).values_list("kind", flat=True))
    assert kinds == [PAGE_KIND, notifications.SLA]
    html = client.get(reverse("notifications")).content.decode()
    assert 'id="bell-count" class="bell-count">2</span>' in html
    note = Notification.objects.get(user=agent, kind=notifications.SLA)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response.url == reverse("ticket_detail", args=[ticket.key])
    note.refresh_from_db()
    assert note.read_at is not None
    html = client.get(reverse("notifications")).content.decode()
    assert 'id="bell-count" class="bell-count">1</span>' in html
