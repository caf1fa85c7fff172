"""Merging from the ticket page in a real Chromium: the picker finds the same customer's open
ticket as the agent types, the confirmation counts what moves, and the merge lands on the target."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.browser.conftest import login, shoot
from tests.factories import make_contact, make_ticket
from tickets import services
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    shoot(page, name, full=True)


def test_the_agent_picks_confirms_and_lands_on_the_target(
    live_server, page, agent, org_a, org_b, customer_a, password
):
    other = make_contact(org_a, username="dana", first_name="Dana", last_name="Diaz")
    target = make_ticket(
        actor=agent, organization=org_a, requester=customer_a, title="Invoices PDF is blank"
    )
    source = make_ticket(
        actor=agent,
        organization=org_a,
        requester=other,
        title="Blank invoice PDF again",
        files=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 blank")],
    )
    services.comment_add(ticket=source, author=agent, body="Which invoice number?")
    make_ticket(actor=agent, organization=org_b, title="Blank invoice PDF at Globex")
    login(page, live_server.url, agent.username, password)

    page.goto(f"{live_server.url}/tickets/{source.key}/")
    page.click("#merge-btn")
    page.fill("#merge-into", "invoice")
    candidates = page.locator("#merge-candidates")
    expect(candidates).to_contain_text(target.key)
    expect(candidates).not_to_contain_text("Globex")
    candidates.get_by_role("link", name=target.key).click()

    confirm = page.locator("#merge-confirm")
    expect(page.locator("h1")).to_have_text(f"Merge {source.key} into {target.key}")
    expect(confirm).to_contain_text("1 comment")
    expect(confirm).to_contain_text("1 attachment")
    expect(confirm).to_contain_text("Dana Diaz, who asked, becomes a CC")
    _shot(page, "merge-confirmation-laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "merge-confirmation-phone")
    page.set_viewport_size({"width": 1366, "height": 860})

    page.click("#merge-confirm-btn")
    expect(page).to_have_url(f"{live_server.url}/tickets/{target.key}/")
    expect(page.locator(".flash")).to_contain_text(f"{source.key} was merged into {target.key}")
    expect(page.locator("#timeline")).to_contain_text("Which invoice number?")
    expect(page.locator("#merged-in")).to_contain_text(source.key)
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk
    assert not page.console_errors
