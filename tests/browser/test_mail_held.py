"""Held mail in a real Chromium: a manager follows the navigation's count to the held list, reads
a message, retries it once its sender's domain is a customer's, and it leaves the list.

Set HELPDESK_SCREENSHOTS=<dir> to keep the held list, a held message and the ticket an HTML mail
opened, at laptop and phone sizes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from mail.models import InboundMessage
from tests.browser.conftest import login, shoot_laptop_and_phone
from tests.factories import OrganizationFactory, make_contact
from tickets.models import Organization, Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shoot(page, name: str) -> None:
    shoot_laptop_and_phone(page, name)


def test_a_manager_reads_and_retries_a_held_message(live_server, page, manager, password):
    acme = OrganizationFactory(name="Acme Corp", slug="acme-corp", domain="acme.com")
    northwind = OrganizationFactory(name="Northwind", slug="northwind", domain="northwind.example")
    make_contact(acme, username="raj", email="raj.patel@acme.com")
    make_contact(acme, username="emily", email="emily.novak@acme.com")
    make_contact(northwind, username="mei", email="mei.tanaka@northwind.example")
    call_command("seed_mail")  # an HTML mail's ticket, three held, one auto-reply ignored

    login(page, live_server.url, manager.username, password)
    # The count shows on the top bar's "More" menu, which holds the link.
    more = page.locator("details.navmenu > summary")
    expect(more).to_contain_text("3")
    more.click()
    held_link = page.get_by_role("link", name="Held mail")
    expect(held_link).to_contain_text("3")
    held_link.click()
    expect(page.get_by_role("heading", name="Held mail")).to_be_visible()
    rows = page.locator("table.held-table tbody tr")
    expect(rows).to_have_count(3)
    _shoot(page, "held-list")

    page.get_by_role("link", name="API returns 429 on the free plan").click()
    expect(page.get_by_text("We get 429 Too Many Requests")).to_be_visible()
    expect(page.get_by_text("priya@startup.example").first).to_be_visible()
    _shoot(page, "held-message")

    # Still nobody's: retrying keeps it held and says why.
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("Still held: Unknown sender")).to_be_visible()

    Organization.objects.create(name="Startup", slug="startup", domain="startup.example")
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("opened a ticket")).to_be_visible()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="API returns 429 on the free plan")).to_have_count(0)
    expect(more).to_contain_text("2")
    message = InboundMessage.objects.get(subject="API returns 429 on the free plan")
    assert (message.status, message.decided_by_id) == ("ticketed", manager.pk)

    html_ticket = Ticket.objects.get(title__startswith="Webhook signatures fail")
    page.goto(f"{live_server.url}{html_ticket.get_absolute_url()}")
    expect(page.get_by_text("every delivery to").first).to_be_visible()
    _shoot(page, "ticket-from-html-mail")
    assert page.console_errors == []
