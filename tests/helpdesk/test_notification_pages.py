"""The bell, the notifications page and the email settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk import clock, notifications
from helpdesk.models import Notification
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


def notice(user, title, *, ticket=None, read=False, **fields) -> Notification:
    return Notification.objects.create(
        user=user,
        title=title,
        url=fields.pop("url", "/"),
        kind=fields.pop("kind", "assigned"),
        ticket_id=ticket.pk if ticket else None,
        dedup_key=f"test:{title}:{user.pk}",
        created_at=clock.now(),
        read_at=clock.now() if read else None,
        **fields,
    )


def test_the_bell_panel_lists_the_latest_notices_with_the_unread_count(client, agent):
    notice(agent, "SUP-1 is assigned to you")
    notice(agent, "Old news", read=True)
    client.force_login(agent)

    page = client.get(reverse("queue")).content.decode()
    assert 'id="bell-count" class="bell-count">1</span>' in page

    panel = client.get(
        reverse("notifications"), headers={"HX-Request": "true", "HX-Target": "bell-panel"}
    ).content.decode()
    assert "SUP-1 is assigned to you" in panel
    assert "Old news" in panel
    assert "<html" not in panel  # the partial only
    assert "Mark all as read" in panel


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, agent):
    ticket = make_ticket(actor=agent)
    note = notice(agent, "SUP assigned", ticket=ticket, url=ticket.get_absolute_url())
    client.force_login(agent)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_nobody_opens_another_users_notice(client, agent):
    other = make_agent()
    note = notice(other, "Theirs")
    client.force_login(agent)
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response["Location"] == reverse("notifications")
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_from_the_bell_returns_the_panel_and_clears_the_count(client, agent):
    notice(agent, "One")
    notice(agent, "Two")
    client.force_login(agent)
    panel = client.post(
        reverse("notifications_read_all"),
        headers={"HX-Request": "true", "HX-Target": "bell-panel"},
    ).content.decode()
    assert 'id="bell-count" class="bell-count" hx-swap-oob="true" hidden' in panel
    assert Notification.objects.filter(user=agent, read_at__isnull=True).count() == 0


def test_a_customer_sees_only_notices_of_their_organizations_tickets(
    client, agent, org_a, org_b, customer_a
):
    own = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    foreign = make_ticket(actor=agent, organization=org_b)
    notice(customer_a, "About my ticket", ticket=own)
    notice(customer_a, "About another customer's ticket", ticket=foreign)
    client.force_login(customer_a)
    page = client.get(reverse("notifications")).content.decode()
    assert "About my ticket" in page
    assert "another customer" not in page
    assert 'id="bell-count" class="bell-count">1</span>' in page
    assert "News of your tickets" in page


def test_email_settings_show_the_users_kinds_and_save_them(client, agent, customer_a):
    client.force_login(agent)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "A colleague mentions me (@username)" in page
    assert "The status of my ticket changes" not in page  # a customer's kind

    response = client.post(reverse("notification_settings"), {"email_kinds": ["mention"]})
    assert response.status_code == 302
    prefs = notifications.email_preferences(agent)
    assert prefs["mention"] is True
    assert prefs["assigned"] is False
    assert prefs["sla"] is False

    client.force_login(customer_a)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "The status of my ticket changes" in page
    assert "mentions me" not in page


def test_an_unknown_kind_is_refused_and_nothing_changes(client, customer_a):
    client.force_login(customer_a)
    response = client.post(reverse("notification_settings"), {"email_kinds": ["mention"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert notifications.email_preferences(customer_a) == {"status": True, "agent_reply": True}
