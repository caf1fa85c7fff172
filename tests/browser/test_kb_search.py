"""The search and the suggestions in a real Chromium: typing in the reply composer shows a
suggestion and one click puts its link into the draft; the portal's new-ticket form suggests
public articles while the customer types; the agents' search shows highlighted results.

Set HELPDESK_SCREENSHOTS=<dir> to keep pictures of each (laptop and phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kb.models import ArticleVisibility
from tests.browser.conftest import login, shoot
from tests.factories import make_agent, make_contact, make_ticket
from tests.kb.kb_factories import make_article, make_known_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SIZES = {"laptop": {"width": 1366, "height": 860}, "phone": {"width": 390, "height": 844}}


def _shoot(page, name: str) -> None:
    shoot(page, name, full=True)


def _library(agent):
    article = make_article(
        agent,
        title="Rate limits and 429 responses",
        summary="Back off, then retry with the Retry-After header.",
        body="## Solution\n\nHonour Retry-After. Batch requests.",
    )
    make_article(
        agent,
        title="Rate limit overrides runbook",
        body="Internal: raising a customer's rate limit.",
        visibility=ArticleVisibility.INTERNAL,
    )
    make_known_issue(
        agent,
        external_id="KI-429",
        title="Rate limit counter not reset at midnight UTC",
        component="API gateway",
        workaround="Wait one extra minute after midnight UTC.",
    )
    return article


def test_typing_in_the_composer_suggests_an_article_and_one_click_inserts_its_link(
    live_server, page, password, org_a
):
    agent = make_agent(username="kbs_agent", first_name="Sam", last_name="Search")
    article = _library(agent)
    ticket = make_ticket(actor=agent, organization=org_a, title="Question about our account")
    login(page, live_server.url, agent.username, password)
    page.goto(f"{live_server.url}/tickets/{ticket.key}/")
    suggestions = page.locator("#kb-suggest")
    expect(suggestions).to_contain_text("Nothing in the knowledge base matches yet")
    page.locator("#reply-body").fill("Hello, you are hitting our rate limits (429).")
    page.locator("#reply-body").dispatch_event("input")
    expect(suggestions).to_contain_text("Rate limits and 429 responses")
    expect(suggestions).to_contain_text("KI-429")
    # The internal runbook is there to read, with nothing to insert into a customer's reply.
    expect(
        suggestions.locator("li", has_text="Rate limit overrides runbook").locator("button")
    ).to_have_count(0)
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        _shoot(page, f"composer-suggestions-{name}")
    page.set_viewport_size(SIZES["laptop"])
    suggestions.locator("li", has_text="Rate limits and 429 responses").get_by_role(
        "button", name="Insert link"
    ).click()
    draft = page.locator("#reply-body").input_value()
    link = f"[Rate limits and 429 responses]({live_server.url}/help/articles/{article.slug}/)"
    assert draft == f"Hello, you are hitting our rate limits (429).\n\n{link}"
    suggestions.locator("li", has_text="KI-429").get_by_role(
        "button", name="Insert workaround"
    ).click()
    assert (
        page.locator("#reply-body")
        .input_value()
        .endswith("Workaround (KI-429):\n\nWait one extra minute after midnight UTC.")
    )
    assert page.console_errors == []


def test_the_portal_suggests_public_articles_while_the_customer_types(
    live_server, page, password, org_a
):
    agent = make_agent(username="kbs_agent2")
    _library(agent)
    customer = make_contact(org_a, username="kbs_cust", first_name="Casey", last_name="Acme")
    login(page, live_server.url, customer.username, password)
    page.goto(f"{live_server.url}/portal/new/")
    # The suggestions arrive as kb's own panel after the page; htmx then asks for them once the
    # typing pauses (filled at once: keystrokes on a busy machine pause mid-word).
    page.wait_for_load_state("networkidle")
    box = page.locator("#kb-portal-suggest")
    with page.expect_response(
        lambda r: "/search/suggest/new-ticket/" in r.url and "errors" in r.url
    ) as answer:
        page.locator("#id_title").fill("Getting 429 rate limit errors")
    assert answer.value.ok, answer.value.status
    expect(box).to_contain_text("Rate limits and 429 responses", timeout=10_000)
    expect(box).not_to_contain_text("runbook")
    expect(box).not_to_contain_text("KI-429")
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        _shoot(page, f"portal-suggestions-{name}")
    assert page.console_errors == []


def test_the_agents_search_shows_highlighted_results_of_every_kind(
    live_server, page, password, org_a
):
    agent = make_agent(username="kbs_agent3")
    _library(agent)
    make_ticket(
        actor=agent,
        organization=org_a,
        title="Bulk import hits the rate limit",
        description="Our nightly import gets 429 after 500 requests.",
    )
    login(page, live_server.url, agent.username, password)
    page.goto(f"{live_server.url}/queue/?q=rate+limit&status=all")
    page.get_by_role("link", name="Search articles and known issues too").click()
    expect(page.locator("#group-tickets")).to_be_visible()
    expect(page.locator("#group-articles")).to_be_visible()
    expect(page.locator("#group-known_issues")).to_be_visible()
    expect(page.locator(".search-hit mark").first).to_be_visible()
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        _shoot(page, f"search-results-{name}")
    assert page.console_errors == []
