"""The calendar admin's time zone: picked from the IANA list, a typo refused in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.models import Role
from tests.factories import make_agent
from tickets.admin_sla import BusinessCalendarForm, iana_zones
from tickets.models import BusinessCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    root = make_agent(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def _post(admin_client, zone: str):
    return admin_client.post(
        reverse("admin:tickets_businesscalendar_add"),
        {
            "name": "Lisbon office",
            "timezone": zone,
            # One period: Monday 09:00-17:00 (a calendar needs at least one).
            "periods-TOTAL_FORMS": "1",
            "periods-INITIAL_FORMS": "0",
            "periods-0-weekday": "0",
            "periods-0-opens": "09:00",
            "periods-0-closes": "17:00",
            "holidays-TOTAL_FORMS": "0",
            "holidays-INITIAL_FORMS": "0",
        },
    )


def test_the_form_offers_every_iana_zone_to_search(admin_client):
    html = admin_client.get(reverse("admin:tickets_businesscalendar_add")).content.decode()
    assert 'list="iana-zones"' in html
    assert '<option value="Europe/Lisbon">' in html
    assert len(iana_zones()) > 300
    assert "Europe/Lisbon" in iana_zones()


def test_a_zone_from_the_list_is_saved(admin_client):
    response = _post(admin_client, "Europe/Lisbon")
    assert response.status_code == 302
    assert BusinessCalendar.objects.get(name="Lisbon office").timezone == "Europe/Lisbon"


def test_a_typo_is_refused_with_the_zone_it_probably_meant(admin_client):
    response = _post(admin_client, "Europe/Lisbonn")
    assert response.status_code == 200
    assert "is not a time zone of the IANA list" in response.content.decode()
    assert "Did you mean Europe/Lisbon?" in response.content.decode()
    assert not BusinessCalendar.objects.filter(name="Lisbon office").exists()


def test_path_like_or_empty_zones_are_refused():
    for bad in ("../etc/passwd", "", "Mars/Olympus"):
        form = BusinessCalendarForm(data={"name": "x", "timezone": bad})
        assert not form.is_valid()
        assert "timezone" in form.errors
