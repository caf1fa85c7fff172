"""The queue in Chromium: the top search, the organization picker, the phone layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import OrganizationFactory, make_agent, make_ticket
from tickets import services
from tickets.choices import Status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_key_in_the_top_search_opens_a_closed_ticket(live_server, page, password):
    agent = make_agent(username="alex")
    ticket = make_ticket(actor=agent, title="Export stuck at 99%")
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent)
    login(page, live_server.url, "alex", password)

    page.fill("input[aria-label^='Search tickets']", ticket.key.lower())
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(ticket.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_have_text(ticket.title)


def test_the_organization_filter_offers_names_and_filters_by_one(live_server, page, password):
    agent = make_agent(username="alex")
    acme = OrganizationFactory(name="Acme Corp", slug="acme-corp")
    wanted = make_ticket(actor=agent, organization=acme, title="Acme cannot log in")
    make_ticket(actor=agent, organization=OrganizationFactory(name="Globex"), title="Globex")
    login(page, live_server.url, "alex", password)

    field = page.locator("#queue-filters input[name=organization]")
    field.press_sequentially("acm")
    expect(page.locator("#organization-options option")).to_have_count(1)
    expect(page.locator("#organization-options option")).to_have_attribute("value", "Acme Corp")
    field.fill("Acme Corp")
    field.press("Enter")

    expect(page.locator("#ticket-table tbody tr")).to_have_count(1)
    expect(page.locator("#ticket-table tbody tr")).to_contain_text(wanted.title)
    assert "/queue/organizations/" not in page.url
    assert not page.console_errors


def test_on_a_phone_each_row_shows_sla_left_and_status(live_server, browser, password):
    agent = make_agent(username="alex")
    for i in range(3):
        make_ticket(actor=agent, title=f"Webhook retries stall for region {i}", severity=2)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server.url, "alex", password)
        row = page.locator("#ticket-table tbody tr").first
        for cell in ("td.q-sev", "td.q-sla", "td.q-status", "td.q-updated"):
            box = row.locator(cell).bounding_box()
            assert box is not None, cell
            assert box["x"] >= 0, (cell, box)
            assert box["x"] + box["width"] <= 390, (cell, box)
        expect(row.locator("td.q-sla .sla")).to_be_visible()
        expect(row.locator("td.q-status")).to_contain_text("New")
        overflow = page.eval_on_selector(".table-wrap", "e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0
    finally:
        context.close()
