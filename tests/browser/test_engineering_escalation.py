"""Engineering escalation in a real Chromium: from the ticket's side panel to the bug report, sent
at once for a P2, then accepted with a date by an engineer, and the SLA panel saying so.

Set HELPDESK_SCREENSHOTS=<dir> to keep the bug report form and the review page at laptop and
phone sizes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from escalation.models import EngineeringEscalation
from helpdesk import clock
from helpdesk.models import Role
from tests.browser.conftest import LAPTOP, login, shoot_laptop_and_phone
from tests.factories import make_agent, make_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shoot(page, name: str) -> None:
    shoot_laptop_and_phone(page, name)


def test_an_agent_escalates_from_the_ticket_and_engineering_accepts(
    live_server, browser, page, org_a, password
):
    agent = make_agent(username="alex", first_name="Alex", last_name="Agent")
    make_agent(username="eng", first_name="Eve", last_name="Ng", role=Role.ENGINEER, tier=3)
    ticket = make_ticket(
        actor=agent,
        organization=org_a,
        severity=2,
        title="POST /users returns 500 for names with accents",
        description="Creating a user named Zoë fails with a 500.",
        environment="production",
        product_version="2.14.1",
        error_message='{"error": "internal"}',
        request_id="req-7f3a",
        affected_endpoint="/api/users",
        affected_users=40,
    )
    base = live_server.url
    login(page, base, "alex", password)
    page.goto(f"{base}{ticket.get_absolute_url()}")
    panel = page.locator("#engineering-panel")
    expect(panel).to_contain_text("tier 1")
    panel.get_by_role("link", name="Escalate to engineering").click()
    expect(page.locator("h1")).to_have_text("Escalate to engineering")
    expect(page.locator("#id_version")).to_have_value("2.14.1")
    expect(page.locator("#id_affected_endpoints")).to_have_value("/api/users")
    _shoot(page, "bug-report-form")
    page.get_by_role("button", name="Send to engineering").click()  # a P2 goes as it is
    expect(page.locator(".eng-state-pending").first).to_be_visible()
    escalation = EngineeringEscalation.objects.get()

    engineer_ctx = browser.new_context(viewport=LAPTOP)
    eng = engineer_ctx.new_page()
    eng.set_default_timeout(15_000)
    errors: list[str] = []
    eng.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(eng, base, "eng", password)
    eng.goto(f"{base}/engineering/")
    eng.get_by_role("link", name=ticket.title).click()
    expect(eng.locator("#decide-title")).to_be_visible()
    _shoot(eng, "engineering-review")
    day = (clock.now() + timedelta(days=4)).date()
    eng.fill("#id_committed_date", day.isoformat())
    eng.get_by_role("button", name="Accept with this date").click()
    expect(eng.locator(".alert-ok")).to_contain_text("fix committed for")
    _shoot(eng, "engineering-accepted")
    escalation.refresh_from_db()
    assert escalation.state == "accepted"

    page.goto(f"{base}{ticket.get_absolute_url()}")
    expect(page.locator("#sla-panel")).to_contain_text("Met by commitment")
    expect(page.locator("#engineering-panel")).to_contain_text("Fix committed for")
    assert page.console_errors == []
    assert errors == []
    engineer_ctx.close()
