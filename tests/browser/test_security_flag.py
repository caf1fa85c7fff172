"""New ticket with "Security issue" ticked, in a real Chromium, by an agent outside the security
team: the box says what will happen, and the agent lands on the ticket, told where it went."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import TeamFactory
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENS = Path(os.environ.get("HELPDESK_SCREENS_DIR", "/work/notes/screens/B"))


def _shot(page, name: str) -> None:
    if SCREENS.parent.is_dir():
        SCREENS.mkdir(exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot keeps the sticky bar in place
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def test_agent_flags_a_new_ticket_and_lands_on_it(live_server, page, agent, org_a, password):
    TeamFactory(name="Security", slug="security", is_security=True)
    login(page, live_server.url, agent.username, password)

    page.goto(f"{live_server.url}/tickets/new/")
    page.select_option("select[name=organization]", "acme")
    page.fill("input[name=title]", "Customer saw another tenant's invoices")
    page.fill("textarea[name=description]", "Reported by phone; details in the security channel.")
    page.check("input[name=is_security]")
    help_text = page.locator("input[name=is_security]").locator("xpath=../following-sibling::p")
    expect(help_text).to_contain_text("you become the assignee and keep the ticket")
    _shot(page, "new-ticket-security-flag")
    page.click("button:has-text('Create ticket')")
    page.wait_for_load_state("networkidle")

    ticket = Ticket.objects.get()
    assert page.url.endswith(f"/tickets/{ticket.key}/")
    expect(page.locator(".flash")).to_contain_text(
        f"Created {ticket.key}. It went to the Security team; you are its assignee and keep it "
        "until the team takes it."
    )
    expect(page.locator("h1")).to_contain_text("another tenant")
    _shot(page, "ticket-after-security-flag")
    assert (ticket.is_security, ticket.assignee, ticket.team.slug) == (True, agent, "security")
