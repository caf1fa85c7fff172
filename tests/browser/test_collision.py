"""Two agents on one ticket in two real browser contexts: A replies, B's page says so within the
heartbeat, and B's reply, written before reading A's, is held with the draft kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login, shoot
from tests.factories import make_agent, make_ticket
from tickets.models import Comment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    shoot(page, name, full=False)


def test_a_reply_by_someone_else_is_announced_and_a_crossing_reply_is_held(
    live_server, browser, page, agent, org_a, customer_a, password
):
    bea = make_agent(username="bea", first_name="Bea", last_name="Berg")
    ticket = make_ticket(
        actor=agent, organization=org_a, requester=customer_a, title="Exports time out"
    )
    url = f"{live_server.url}/tickets/{ticket.key}/"
    other = browser.new_context(viewport={"width": 1366, "height": 860})
    b = other.new_page()
    b.set_default_timeout(15_000)
    try:
        login(page, live_server.url, agent.username, password)
        login(b, live_server.url, bea.username, password)
        page.goto(url)
        b.goto(url)
        b.fill("#reply-body", "Could you send us the export's request id?")

        page.fill("#reply-body", "We reproduced it and are working on a fix.")
        page.click("#send-btn")
        expect(page.locator("#timeline")).to_contain_text("We reproduced it")

        warning = b.locator("#collision-warning")
        expect(warning).to_contain_text("Alex Agent replied", timeout=9_000)
        expect(warning.locator("#collision-reload")).to_have_attribute(
            "href", f"/tickets/{ticket.key}/"
        )
        b.locator("#reply-body").scroll_into_view_if_needed()
        _shot(b, "collision-warning-laptop")
        b.set_viewport_size(PHONE)
        b.locator("#reply-body").scroll_into_view_if_needed()
        _shot(b, "collision-warning-phone")
        b.set_viewport_size({"width": 1366, "height": 860})

        b.click("#send-btn")
        expect(b.locator("#ticket-alert")).to_contain_text("your message was not sent")
        expect(b.locator("#reply-body")).to_have_value("Could you send us the export's request id?")
        expect(b.locator("#timeline")).to_contain_text("We reproduced it")
        assert not Comment.objects.filter(ticket=ticket, author=bea).exists()

        # B has now seen A's reply on the refreshed page: sending again goes through.
        b.click("#send-btn")
        expect(b.locator("#timeline")).to_contain_text("export's request id")
        assert Comment.objects.filter(ticket=ticket, author=bea).count() == 1
        assert not page.console_errors
    finally:
        other.close()
