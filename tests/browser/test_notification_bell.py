"""The bell in a real Chromium: an agent and a customer each see their notice and mark it read.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of the open bell at laptop and phone sizes."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login, shoot
from tests.factories import make_agent, make_ticket
from tickets import services
from tickets.choices import Status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOTS = os.environ.get("HELPDESK_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    shoot(page, name, full=False)


def _open_bell(page) -> None:
    page.click("button.bell")
    expect(page.locator("#bell-panel")).to_be_visible()
    expect(page.locator("#bell-panel .bell-head")).to_be_visible()


def test_an_agent_sees_an_assignment_in_the_bell_and_opening_it_marks_it_read(
    live_server, page, org_a, customer_a, password
):
    lead = make_agent(username="lee", first_name="Lee", last_name="Lead")
    ana = make_agent(username="ana", first_name="Ana", last_name="Agent")
    ticket = make_ticket(
        actor=customer_a,
        organization=org_a,
        requester=customer_a,
        title="Checkout fails for every card",
        severity=1,
    )
    services.ticket_assign(ticket=ticket, assignee=ana, actor=lead)
    base = live_server.url

    login(page, base, "ana", password)
    bell_count = page.locator("#bell-count")
    expect(bell_count).to_have_text("1")
    _open_bell(page)
    notice = page.locator("#bell-panel .notification-list li").first
    expect(notice).to_contain_text(f"{ticket.key} is assigned to you")
    expect(notice).to_have_class(re.compile("is-unread"))
    _shoot(page, "bell-agent-laptop")

    notice.locator("button.notification-link").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.key}/"))
    expect(bell_count).to_be_hidden()
    page.goto(f"{base}/notifications/")
    expect(page.locator(".notification-list li.is-unread")).to_have_count(0)
    expect(page.locator(".notification-list li")).to_contain_text(ticket.key)

    if SCREENSHOTS:
        page.set_viewport_size(PHONE)
        _open_bell(page)
        _shoot(page, "bell-agent-phone")
    assert page.console_errors == []


def test_a_customer_sees_a_status_change_in_the_portal_bell_and_marks_all_read(
    live_server, page, org_a, customer_a, password
):
    agent = make_agent(username="ana", first_name="Ana", last_name="Agent")
    ticket = make_ticket(
        actor=customer_a,
        organization=org_a,
        requester=customer_a,
        title="Webhook deliveries failing",
        assignee=agent,
    )
    services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
    services.comment_add(ticket=ticket, author=agent, body="@ana internal only", is_internal=True)
    base = live_server.url

    login(page, base, customer_a.username, password)
    expect(page).to_have_url(re.compile(r"/portal/"))
    bell_count = page.locator("#bell-count")
    expect(bell_count).to_have_text("1")
    _open_bell(page)
    items = page.locator("#bell-panel .notification-list li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text(f"{ticket.key} is now investigating")
    _shoot(page, "bell-customer-laptop")

    page.locator("#bell-panel").get_by_role("button", name="Mark all as read").click()
    expect(bell_count).to_be_hidden()
    expect(page.locator("#bell-panel .notification-list li.is-unread")).to_have_count(0)
    expect(items).to_have_count(1)

    items.first.locator("button.notification-link").click()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket.key}/"))

    if SCREENSHOTS:
        page.set_viewport_size(PHONE)
        _open_bell(page)
        _shoot(page, "bell-customer-phone")
    assert page.console_errors == []
