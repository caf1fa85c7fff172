"""The core journey in a real Chromium: agent works a ticket, the customer follows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import make_agent, make_ticket
from tickets.models import Comment, ReplyTemplate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_agent_replies_with_a_template_and_a_note_the_customer_sees_only_the_reply(
    live_server, page, org_a, customer_a, password
):
    agent = make_agent(username="alex", first_name="Alex", last_name="Agent")
    make_ticket(actor=agent, organization=org_a, title="Webhook deliveries failing", severity=3)
    ticket = make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        title="Customer unable to login",
        severity=1,
        category="authentication",
    )
    ReplyTemplate.objects.update_or_create(
        slug="browser-ack",
        defaults={
            "name": "Browser acknowledgement",
            "position": 0,
            "body": "Hi {{ customer_name }}, we are on {{ ticket_key }}.",
        },
    )
    base = live_server.url

    # The agent filters the queue down to the critical ticket and opens it.
    login(page, base, "alex", password)
    expect(page).to_have_url(re.compile(r"/queue/"))
    page.check("input[name=severity][value='1']")
    expect(page.locator("#ticket-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"severity=1"))
    page.click(f"text={ticket.title}")
    expect(page.locator("h1")).to_have_text(ticket.title)

    # Reply with a template: the composer is filled from it, then sent.
    page.select_option("#template-picker", "browser-ack")
    expect(page.locator("#reply-body")).to_have_value(
        f"Hi {customer_a.display_name}, we are on {ticket.key}."
    )
    page.fill(
        "#reply-body", page.input_value("#reply-body") + "\n\nWe are looking at the SSO logs now."
    )
    page.click("#send-btn")
    expect(page.locator("#timeline")).to_contain_text("We are looking at the SSO logs now.")

    # Then an internal note.
    page.keyboard.press("Escape")
    page.click("#tab-note")
    page.fill("#reply-body", "Issuer URL mismatch after the SSO config change.")
    page.click("#send-btn")
    expect(page.locator("#timeline .comment-note")).to_contain_text("Issuer URL mismatch")
    assert Comment.objects.filter(ticket=ticket, is_internal=True).count() == 1
    assert Comment.objects.filter(ticket=ticket, is_internal=False).count() == 1
    assert page.console_errors == []

    # The customer, in a browser of their own (the agent's open ticket page keeps polling in
    # the agent's), sees the reply and never the note.
    customer_context = page.context.browser.new_context()
    try:
        portal = customer_context.new_page()
        login(portal, base, customer_a.username, password)
        portal.goto(f"{base}/portal/tickets/{ticket.key}/")
        body = portal.locator("main")
        expect(body).to_contain_text("We are looking at the SSO logs now.")
        expect(body).not_to_contain_text("Issuer URL mismatch")
        assert "Issuer URL mismatch" not in portal.content()
    finally:
        customer_context.close()
