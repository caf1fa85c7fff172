"""The triage panel in a real Chromium: an agent accepts one suggestion and overrides another in
one click each, the reply checks warn while typing, and after a reload the decisions are kept.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of the panel on a P1 and on a security report
(laptop and phone)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpdesk import engine
from tests.browser.conftest import PHONE, login
from tests.factories import OrganizationFactory, make_agent, make_ticket
from tests.triage.factories import analysis
from triage.pipeline import triage_ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOTS = os.environ.get("HELPDESK_SCREENSHOTS")


def _item(page, kind: str):
    return page.locator(f'#triage-panel li.triage-item[data-kind="{kind}"]')


def test_accept_and_override_from_the_ticket_page_are_kept(live_server, page, password):
    agent = make_agent(username="triager", first_name="Tess", last_name="Triage")
    org = OrganizationFactory(name="Initech", tier="business")
    ticket = make_ticket(
        actor=agent, organization=org, title="Payments API returns 500 for every call", severity=3
    )
    triage_ticket(
        ticket,
        now=datetime.now(UTC),
        analysis=analysis(
            severity="P1",
            category="other",
            reasons={
                "severity": ["Playbook P1: financial transactions failing ('payment')"],
                "category": ["Availability of the whole service is other"],
            },
        ),
    )
    login(page, live_server.url, "triager", password)
    page.goto(f"{live_server.url}/tickets/{ticket.key}/")
    severity = _item(page, "severity")
    expect(severity).to_contain_text("Playbook P1: financial transactions failing")
    expect(severity.locator(".triage-review")).to_have_text("Review")
    expect(page.locator("#triage-panel .triage-review-why")).to_contain_text("P1/P2 ticket")

    severity.get_by_role("button", name="Accept").click()
    expect(_item(page, "severity")).to_contain_text("Accepted by Tess Triage")
    # The page's own head follows the change without a reload.
    expect(page.locator("#ticket-head")).to_contain_text("P1")
    expect(page.locator("#f-severity")).to_have_value("1")

    category = _item(page, "category")
    category.get_by_label("Override category with").select_option("performance")
    category.get_by_role("button", name="Override").click()
    expect(_item(page, "category")).to_contain_text("Overridden with Performance by Tess Triage")

    page.locator("#reply-body").fill("This will be fixed by Friday.")
    checks = page.locator("#triage-checks-list")
    expect(checks.locator('[data-check="fix_date"]')).to_be_visible()
    expect(checks.locator('[data-check="reference"]')).to_be_visible()

    page.reload()
    expect(_item(page, "severity")).to_contain_text("Accepted by Tess Triage")
    expect(_item(page, "category")).to_contain_text("Overridden with Performance by Tess Triage")
    expect(_item(page, "severity").get_by_role("button", name="Accept")).to_have_count(0)
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.category) == (1, "performance")
    assert page.console_errors == []


@pytest.mark.skipif(not SCREENSHOTS, reason="pictures only when HELPDESK_SCREENSHOTS is set")
def test_screenshots_of_the_panel_on_a_p1_and_on_a_security_report(live_server, page, password):
    agent = make_agent(username="shots", first_name="Sam", last_name="Shots")
    org = OrganizationFactory(name="Acme Corp", tier="enterprise")
    p1 = make_ticket(
        actor=agent,
        organization=org,
        title="All API calls return 500 since 10:00 UTC",
        description=(
            "Every request to POST /v1/payments fails with 500 Internal Server Error in "
            "production since 10:00 UTC. Request id req_8f2a91. Our checkout is down."
        ),
    )
    security = make_ticket(
        actor=agent,
        organization=org,
        title="API key leaked in a public GitHub repository",
        description=(
            "We pushed our production API key to a public repository this morning and now see "
            "calls from unknown IPs in our dashboard."
        ),
        assignee=agent,
    )
    # As in production: the engine's triage module runs what the receivers queued.
    triage_module = next(m for m in engine.registered() if m.name == "triage")
    assert engine.run_module(triage_module, datetime.now(UTC)) == 2
    login(page, live_server.url, "shots", password)
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    for name, ticket in (("p1", p1), ("security", security)):
        for size, viewport in (("laptop", {"width": 1366, "height": 860}), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}/tickets/{ticket.key}/")
            panel = page.locator("#triage-panel")
            expect(panel).to_contain_text("Needs human review")
            # The sticky navigation bar would cover the panel's top (the page's CSP refuses
            # a style tag, so the bar's own style is set).
            page.eval_on_selector(".topbar", "el => el.style.setProperty('position', 'static')")
            panel.screenshot(path=str(out / f"triage-panel-{name}-{size}.png"))
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(out / f"triage-page-{name}-{size}.png"), full_page=True)
