"""The agent's ticket page in a real Chromium: properties that save, two people on one ticket, the
composer's status list, reply templates and their blanks, and no CSP violation on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import TeamFactory, make_ticket
from tickets.models import Comment, ReplyTemplate, Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Every Content-Security-Policy violation of the page, kept where the test can read it.
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""


@pytest.fixture
def ticket(agent, org_a, customer_a):
    return make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        title="Customer unable to login",
        severity=3,
    )


@pytest.fixture
def security_team():
    return TeamFactory(name="Security", slug="security")


@pytest.fixture
def findings_template():
    return ReplyTemplate.objects.create(
        name="Investigation findings",
        slug="browser-findings",
        position=0,
        body="Hi {{ customer_name }},\n\nWe found:\n- [Key finding 1]\n\nDocs: [link]",
    )


def _open(page, base: str, ticket) -> None:
    page.goto(f"{base}/tickets/{ticket.key}/")
    expect(page.locator("h1")).to_have_text(ticket.title)


def _csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


PROPERTIES = [
    ("#f-severity", "2", "Saved: Severity P2 · High."),
    ("#f-team", "security", "Saved: Team Security."),
    ("#f-category", "authentication", "Saved: Category Authentication."),
    ("#f-issue_type", "incident", "Saved: Issue type Incident."),
    ("#f-environment", "staging", "Saved: Environment Staging."),
    ("#f-assignee", "manager", "Saved: Assignee Morgan Manager."),
]


def test_each_property_saves_on_change_says_so_and_survives_a_reload(
    live_server, page, agent, manager, ticket, security_team, password
):
    login(page, live_server.url, agent.username, password)
    _open(page, live_server.url, ticket)

    for selector, value, saved in PROPERTIES:
        page.select_option(selector, value)
        expect(page.locator("#props-status")).to_have_text(saved)
        page.reload()
        expect(page.locator(selector)).to_have_value(value)

    ticket.refresh_from_db()
    assert (
        ticket.severity,
        ticket.team,
        ticket.category,
        ticket.issue_type,
        ticket.environment,
        ticket.assignee,
    ) == (2, security_team, "authentication", "incident", "staging", manager)
    assert page.console_errors == []


def test_two_people_on_one_ticket_nothing_is_silently_reverted(
    live_server, browser, page, agent, manager, ticket, security_team, password
):
    base = live_server.url
    login(page, base, agent.username, password)
    _open(page, base, ticket)
    manager_context = browser.new_context(viewport={"width": 1366, "height": 860})
    manager_page = manager_context.new_page()
    manager_page.set_default_timeout(15_000)
    login(manager_page, base, manager.username, password)
    _open(manager_page, base, ticket)

    # The manager raises the ticket to P1 and hands it to Security.
    manager_page.select_option("#f-severity", "1")
    expect(manager_page.locator("#props-status")).to_have_text("Saved: Severity P1 · Critical.")
    manager_page.select_option("#f-team", "security")
    expect(manager_page.locator("#props-status")).to_have_text("Saved: Team Security.")

    # The agent, whose page still shows P3 and no team, takes the ticket: only that is saved.
    expect(page.locator("#f-severity")).to_have_value("3")
    page.select_option("#f-assignee", agent.username)
    expect(page.locator("#props-status")).to_have_text("Saved: Assignee Alex Agent.")
    expect(page.locator("#f-severity")).to_have_value("1")  # the panel now shows the ticket
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.team, ticket.assignee) == (1, security_team, agent)

    # The manager's page is now the stale one: changing Assignee back is refused, with who.
    manager_page.select_option("#f-assignee", manager.username)
    error = manager_page.locator("#props-status .props-error")
    expect(error).to_contain_text("Alex Agent changed Assignee to Alex Agent at ")
    expect(error).to_contain_text(
        "(you saw unassigned). Your change to Morgan Manager was not saved"
    )
    expect(manager_page.locator("#f-assignee")).to_have_value(agent.username)
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent

    manager_page.click("#props-reload")
    expect(manager_page.locator("#f-assignee")).to_have_value(agent.username)
    expect(manager_page.locator("#props-status")).to_have_text("")
    manager_context.close()


def test_composer_status_list_follows_an_in_page_move(live_server, page, agent, ticket, password):
    login(page, live_server.url, agent.username, password)
    _open(page, live_server.url, ticket)
    composer = page.locator("#composer-status option")
    expect(composer.filter(has_text="and set closed")).to_have_count(1)

    page.select_option("#status-select", "in_progress")
    page.click("#ticket-head button[type=submit]:has-text('Set status')")
    expect(page.locator("#ticket-head .ticket-meta").first).to_contain_text("In progress")

    # In progress cannot be closed directly: the composer no longer offers it.
    expect(composer.filter(has_text="and set closed")).to_have_count(0)
    expect(composer.filter(has_text="and set in progress")).to_have_count(0)
    page.fill("#reply-body", "We have a fix ready; resolving.")
    page.select_option("#composer-status", "resolved")
    page.click("#send-btn")
    expect(page.locator("#ticket-head .ticket-meta").first).to_contain_text("Resolved")
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    assert page.console_errors == []


def test_picking_a_template_over_a_draft_asks_first(
    live_server, page, agent, ticket, findings_template, password
):
    login(page, live_server.url, agent.username, password)
    _open(page, live_server.url, ticket)
    page.fill("#reply-body", "My own careful draft")

    asked: list[str] = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.select_option("#template-picker", findings_template.slug)
    expect(page.locator("#template-picker")).to_have_value("")
    expect(page.locator("#reply-body")).to_have_value("My own careful draft")
    assert asked == [
        "Replace your draft with the template “Investigation findings”? "
        "The text you wrote will be lost."
    ]

    page.once("dialog", lambda dialog: dialog.accept())
    page.select_option("#template-picker", findings_template.slug)
    expect(page.locator("#reply-body")).to_have_value(re.compile(r"^Hi Casey Acme,"))


def test_unfilled_template_blanks_are_warned_about_and_never_sent(
    live_server, page, agent, ticket, findings_template, password
):
    login(page, live_server.url, agent.username, password)
    _open(page, live_server.url, ticket)
    page.select_option("#template-picker", findings_template.slug)  # empty draft: no question
    warning = page.locator("#blanks-warning")
    expect(warning).to_have_text(
        "Fill in the template's blanks before sending: [Key finding 1], [link]."
    )

    page.click("#send-btn")
    expect(warning).to_have_text(
        "Not sent: fill in the template's blanks before sending: [Key finding 1], [link]."
    )
    assert not Comment.objects.filter(ticket=ticket).exists()

    body = page.input_value("#reply-body")
    body = body.replace("[Key finding 1]", "The SSO certificate expired")
    page.fill("#reply-body", body.replace("[link]", "https://docs.example.com/sso"))
    expect(warning).to_be_hidden()
    page.click("#send-btn")
    expect(page.locator("#timeline")).to_contain_text("The SSO certificate expired")
    assert Comment.objects.filter(ticket=ticket).count() == 1


def test_htmx_actions_raise_no_csp_violation(
    live_server, browser, page, agent, manager, ticket, customer_a, findings_template, password
):
    base = live_server.url
    page.add_init_script(RECORD_CSP)
    login(page, base, agent.username, password)

    # Queue: filter, search, a bulk action on a selected row.
    page.check("input[name=severity][value='3']")
    expect(page.locator("#ticket-table tbody tr")).to_have_count(1)
    page.locator("#queue-filters input[name=q]").press_sequentially("unable")
    expect(page).to_have_url(re.compile(r"q=unable"))
    page.locator("#queue-filters input[name=q]").blur()  # its change event refreshes the list
    page.wait_for_load_state("networkidle")
    expect(page.locator("#ticket-table tbody tr")).to_have_count(1)
    page.locator("#ticket-table input[name=ids]").first.check()
    page.select_option("#bulk-action", "add_tag")
    page.fill("input[name=bulk_tag]", "triaged")
    page.click("#bulkbar button[type=submit]")
    expect(page.locator("#queue-results")).to_contain_text("triaged")

    # Ticket page: every kind of action.
    _open(page, base, ticket)
    page.select_option("#f-severity", "2")
    expect(page.locator("#props-status")).to_contain_text("Saved")
    page.fill("#f-tags", "sso, login")
    page.click("#f-tags ~ button")
    expect(page.locator("#props-status")).to_contain_text("Saved: Tags")
    page.select_option("#status-select", "investigating")
    page.click("#ticket-head button[type=submit]:has-text('Set status')")
    expect(page.locator("#ticket-head .ticket-meta").first).to_contain_text("Investigating")
    page.select_option("#template-picker", findings_template.slug)
    expect(page.locator("#blanks-warning")).to_be_visible()
    page.fill("#reply-body", "We are on it.")
    page.click("button:has-text('Preview')")
    expect(page.locator("#preview")).to_contain_text("We are on it.")
    page.click("#send-btn")
    expect(page.locator("#timeline")).to_contain_text("We are on it.")
    page.click("#take-btn")
    expect(page.locator("#ticket-head")).to_contain_text("assigned to Alex Agent")
    with page.expect_response(re.compile(r"/presence/$")):
        page.evaluate("htmx.trigger(document.querySelector('[hx-post$=\"/presence/\"]'), 'every')")
    assert _csp_violations(page) == []
    assert page.console_errors == []

    # Portal: the customer replies. The agent's ticket page is left first, so its polling
    # cannot race the customer's login in the same browser context.
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, base, customer_a.username, password)
    page.goto(f"{base}/portal/tickets/{ticket.key}/")
    page.fill("#portal-conversation textarea[name=body]", "Thanks, waiting.")
    page.click("#portal-conversation button[type=submit]")
    expect(page.locator("#portal-conversation")).to_contain_text("Thanks, waiting.")
    assert _csp_violations(page) == []
