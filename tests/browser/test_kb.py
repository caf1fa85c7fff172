"""The knowledge base in a real Chromium: hostile Markdown in articles and known issues never runs
(no dialog opens), a customer reads and votes in the help centre on a phone, and an agent closes
a ticket as a known issue from its side panel.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of the help centre (phone), an article and a
known issue with its linked tickets (laptop and phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kb.models import ArticleVote
from kb.services import known_issue_link_ticket
from tests.browser.conftest import PHONE, login, shoot
from tests.factories import make_agent, make_contact, make_ticket
from tests.kb.kb_factories import make_article, make_known_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PAYLOAD = (
    "<script>alert('script')</script>\n\n"
    "<img src=x onerror=\"alert('onerror')\">\n\n"
    "<svg onload=\"alert('svg')\"></svg>\n\n"
    "[Open the guide](javascript:alert('link'))\n\n"
    '<a href="javascript:alert(\'a\')" id="js-link">javascript link</a>\n'
)


def _shoot(page, name: str) -> None:
    shoot(page, name, full=True)


def _no_dialog(page) -> list[str]:
    dialogs: list[str] = []

    def seen(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", seen)
    return dialogs


def test_hostile_markdown_never_runs_on_kb_pages(live_server, page, password, org_a):
    agent = make_agent(username="kbagent", first_name="Kim", last_name="Berg")
    make_contact(org_a, username="kbcust", first_name="Casey", last_name="Acme")
    article = make_article(agent, title="Hostile article", body=PAYLOAD)
    issue = make_known_issue(agent, external_id="KI-666", symptoms=PAYLOAD, workaround=PAYLOAD)
    dialogs = _no_dialog(page)

    login(page, live_server.url, "kbagent", password)
    for url in (f"/kb/articles/{article.slug}/", f"/kb/known-issues/{issue.external_id}/"):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        for link in page.locator(".kb-body a").all():
            link.click(no_wait_after=True)
        page.wait_for_timeout(200)
    page.context.clear_cookies()
    login(page, live_server.url, "kbcust", password)
    page.goto(f"{live_server.url}/help/articles/{article.slug}/")
    page.wait_for_load_state("networkidle")
    for link in page.locator(".kb-body a").all():
        link.click(no_wait_after=True)
    page.wait_for_timeout(200)
    assert dialogs == []


def test_a_customer_reads_and_votes_in_the_help_centre_on_a_phone(
    live_server, browser, password, org_a
):
    agent = make_agent(username="writer")
    make_contact(org_a, username="phonecust", first_name="Casey", last_name="Acme")
    make_article(
        agent,
        title="SSO login failures after an identity provider change",
        summary="Users cannot sign in with SSO after the identity provider changed.",
        body="## Symptoms\n\n- Users see **Invalid credentials**.\n\n## Cause\n\nThe issuer "
        "URL no longer matches.\n\n## Solution\n\n1. Compare the issuer URL.\n2. Upload the "
        "current certificate.\n\n## Prevention\n\nAnnounce identity-provider changes.",
    )
    for title, category in (
        ("How to generate API keys", "getting_started"),
        ("Rate limiting explained", "faq"),
        ("Keeping API keys safe", "security"),
        ("Webhook deliveries failing with timeouts", "integration"),
        ("Paging through large result sets with cursors", "api_reference"),
    ):
        make_article(agent, title=title, category=category)
    make_article(agent, title="Runbook: leaked API key", kind="runbook", visibility="internal")

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    phone = context.new_page()
    login(phone, live_server.url, "phonecust", password)
    phone.goto(f"{live_server.url}/help/")
    expect(phone.locator(".help-category")).to_have_count(6)
    expect(phone.locator("body")).not_to_contain_text("Runbook")
    _shoot(phone, "help-centre-phone")
    phone.fill("input[name=q]", "sso")
    phone.click(".help-search button")
    phone.click("text=SSO login failures after an identity provider change")
    expect(phone.locator("h1")).to_have_text("SSO login failures after an identity provider change")
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"]
    _shoot(phone, "help-article-phone")
    phone.click("#help-vote button[value=yes]")
    expect(phone.locator("#help-vote")).to_contain_text("Thanks for your feedback")
    assert ArticleVote.objects.get().helpful is True
    context.close()


def test_an_agent_closes_a_ticket_as_a_known_issue_from_its_panel(
    live_server, page, browser, password, org_a
):
    agent = make_agent(username="closer", first_name="Kim", last_name="Berg")
    customer = make_contact(org_a, username="reporter", first_name="Casey", last_name="Acme")
    issue = make_known_issue(
        agent,
        external_id="KI-44",
        title="PATCH /v1/orders returns 500 for amounts with three decimals",
        component="Orders API",
        affected_versions="v4.19",
        error_signatures=["PATCH /v1/orders/{id}", "500 Internal Server Error"],
        symptoms="Amounts with more than two decimals trigger an unhandled error.",
        workaround="Round amounts to two decimals client-side.",
        status="fix_scheduled",
        fix_version="4.20",
    )
    for n in range(3):
        other = make_ticket(actor=customer, organization=org_a, title=f"Order update fails {n}")
        known_issue_link_ticket(issue=issue, ticket=other, actor=agent)
    ticket = make_ticket(actor=customer, organization=org_a, title="PATCH order gives 500")

    login(page, live_server.url, "closer", password)
    page.goto(f"{live_server.url}/tickets/{ticket.key}/")
    panel = page.locator("#kb-panel")
    expect(panel).to_be_visible()
    panel.locator("input[name=known_issue]").fill("KI-44")
    panel.locator("button[name=close]").click()
    expect(page.locator("body")).to_contain_text("The recommended workaround is Round amounts")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"

    page.goto(f"{live_server.url}/kb/known-issues/KI-44/")
    expect(page.locator("body")).to_contain_text("Linked tickets (4)")
    _shoot(page, "known-issue-laptop")
    article = make_article(
        agent,
        title="Orders API: amounts with three decimals",
        summary="Why PATCH /v1/orders answers 500 and how to avoid it until 4.20.",
        body="## Symptoms\n\n`PATCH /v1/orders/{id}` answers **500** for `12.345`.\n\n"
        "## Cause\n\nKI-44: decimals are validated after the model layer.\n\n## Solution\n\n"
        "Round amounts to two decimals client-side.\n\n## Prevention\n\nFixed in 4.20.",
    )
    issue.article = article
    issue.save(update_fields=["article"])
    page.goto(f"{live_server.url}/kb/articles/{article.slug}/")
    expect(page.locator("h1")).to_have_text("Orders API: amounts with three decimals")
    _shoot(page, "kb-article-laptop")
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    phone = context.new_page()
    login(phone, live_server.url, "closer", password)
    phone.goto(f"{live_server.url}/kb/known-issues/KI-44/")
    _shoot(phone, "known-issue-phone")
    context.close()
