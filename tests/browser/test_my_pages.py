"""My pages in a real Chromium at phone size: a new page appears by itself and is acknowledged.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of My pages, the acknowledge link's page and the
ticket's side panel at phone and laptop sizes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from escalation.models import Page, PageState
from escalation.paging.tasks import page_start_task
from helpdesk.models import OutboundMessage, Role
from tests.browser.conftest import LAPTOP, PHONE, login, shoot
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shoot(page, name: str, *, full: bool = False) -> None:
    shoot(page, name, full=full)


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def test_the_engineer_sees_a_new_page_on_a_phone_and_acknowledges_it(
    live_server, page, org_a, password
):
    engineer = make_agent(username="eng", first_name="Eve", last_name="Ng", role=Role.ENGINEER)
    second = make_agent(username="sam", first_name="Sam", last_name="Second", role=Role.ENGINEER)
    make_policy({"users": [engineer]}, {"users": [second]}, severity=1)
    base = live_server.url
    page.set_viewport_size(PHONE)
    login(page, base, "eng", password)
    page.goto(f"{base}/pages/")
    expect(page.locator("#my-pages")).to_contain_text("No open pages.")

    ticket = make_ticket(
        organization=org_a, severity=1, title="Card payments fail for every customer in EU"
    )
    page_start_task(ticket.pk)  # what the worker does once the ticket commits
    card = page.locator(".pg-card").first
    expect(card).to_contain_text(ticket.key, timeout=15_000)  # the list polls every 10 s
    expect(card).to_contain_text("Triggered")
    _no_horizontal_scroll(page)
    _shoot(page, "my-pages-phone")

    button = card.get_by_role("button", name="Acknowledge")
    box = button.bounding_box()
    assert box["height"] >= 44, "a thumb-sized button"
    button.click()
    expect(page.locator("#my-pages")).to_contain_text("Acknowledged: nobody else will be paged.")
    expect(card).to_contain_text("acknowledged by Eve Ng")
    expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    page_row = Page.objects.get(ticket=ticket)
    assert (page_row.state, page_row.acknowledged_by, page_row.acknowledged_via) == (
        PageState.ACKNOWLEDGED,
        engineer,
        "web",
    )
    _shoot(page, "my-pages-acknowledged-phone", full=True)

    # The acknowledge link of a second page, as the email opens it on the phone.
    other = make_ticket(organization=org_a, severity=1, title="Login fails with SSO for all")
    page_start_task(other.pk)
    body = OutboundMessage.objects.get(channel="email", subject__contains=other.key).body
    link = re.search(r"^Acknowledge: https?://[^/\s]+(/\S+)", body, re.M).group(1)
    page.goto(f"{base}{link}")
    expect(page.get_by_role("button", name="Acknowledge")).to_be_visible()
    _no_horizontal_scroll(page)
    _shoot(page, "acknowledge-link-phone")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".pg-confirm")).to_contain_text("Acknowledged. Nobody else will be paged.")
    _shoot(page, "acknowledge-link-done-phone")

    # My pages and the ticket's side panel on a laptop.
    page.set_viewport_size(LAPTOP)
    page.goto(f"{base}/pages/")
    _shoot(page, "my-pages-laptop")
    page.goto(f"{base}{ticket.get_absolute_url()}")
    panel = page.locator("#page-panel")
    expect(panel).to_contain_text("Acknowledged")
    expect(panel).to_contain_text("Eve Ng")
    panel.scroll_into_view_if_needed()
    _shoot(page, "ticket-page-panel-laptop")
    page.set_viewport_size(PHONE)
    panel.scroll_into_view_if_needed()
    _shoot(page, "ticket-page-panel-phone")
    ours = [e for e in page.console_errors if "/pages/" in e or "Content Security" in e]
    assert not ours, ours
