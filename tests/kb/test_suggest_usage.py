"""Suggestions while typing (the composer's and the portal's), deflections, article views and
the usage figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from kb.models import (
    ArticleKind,
    ArticleStatus,
    ArticleVisibility,
    SuggestionOpen,
)
from kb.search import usage
from tests.factories import make_ticket
from tests.kb.kb_factories import make_article, make_known_issue

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def library(agent):
    return {
        "public": make_article(agent, title="Webhook signatures fail", body="Use the raw body."),
        "internal": make_article(
            agent,
            title="Webhook signatures internal",
            body="webhook",
            visibility=ArticleVisibility.INTERNAL,
        ),
        "runbook": make_article(
            agent,
            title="Webhook signatures runbook",
            kind=ArticleKind.RUNBOOK,
            visibility=ArticleVisibility.PUBLIC,
        ),
        "draft": make_article(agent, title="Webhook signatures draft", status=ArticleStatus.DRAFT),
        "issue": make_known_issue(
            agent,
            external_id="KI-42",
            title="Webhook signatures mismatch after proxy",
            workaround="Disable body rewriting on the proxy.",
        ),
    }


def _portal_suggestions(client, **fields):
    return client.get(reverse("search:suggest_portal"), fields).content.decode()


def test_portal_suggestions_offer_public_published_articles_only(
    client, customer_a, agent, library
):
    for user in (customer_a, agent):  # an agent trying the form sees what customers see
        client.force_login(user)
        html = _portal_suggestions(client, title="webhook signatures", description="fail")
        assert "Webhook signatures fail" in html
        for hidden in ("internal", "runbook", "draft"):
            assert library[hidden].title not in html
        assert "KI-42" not in html
        assert "mismatch after proxy" not in html


def test_the_help_centre_search_never_returns_hidden_articles_or_known_issues(
    client, customer_a, library
):
    client.force_login(customer_a)
    html = client.get(reverse("help:home"), {"q": "webhook"}).content.decode()
    assert "Webhook signatures fail" in html
    for hidden in ("internal", "runbook", "draft"):
        assert library[hidden].title not in html
    assert "KI-42" not in html


def test_composer_suggestions_match_the_ticket_and_insert_a_link_or_a_workaround(
    client, agent, org_a, library
):
    ticket = make_ticket(
        actor=agent, organization=org_a, title="Webhook signatures fail since Monday"
    )
    client.force_login(agent)
    html = client.get(reverse("search:suggest_composer", args=[ticket.key])).content.decode()
    help_url = "http://testserver" + reverse("help:article", args=[library["public"].slug])
    assert f'data-kb-insert="[Webhook signatures fail]({help_url})"' in html
    assert 'data-kb-insert="Workaround (KI-42):\n\nDisable body rewriting on the proxy."' in html
    # Internal articles and runbooks are listed for the agent to read, never offered to insert.
    assert "Webhook signatures runbook" in html
    assert html.count("Insert link") == 1
    assert "Webhook signatures draft" not in html


def test_composer_suggestions_follow_the_draft_and_refresh_only_their_list(
    client, agent, org_a, library
):
    make_article(agent, title="Rate limits and 429", body="Back off and retry.")
    ticket = make_ticket(actor=agent, organization=org_a, title="Question")
    client.force_login(agent)
    html = client.get(
        reverse("search:suggest_composer", args=[ticket.key]),
        {"body": "they get 429 errors"},
        headers={"HX-Request": "true", "HX-Target": "kb-suggest-list"},
    ).content.decode()
    assert html.lstrip().startswith('<div id="kb-suggest-list"')
    assert "Rate limits and 429" in html


def test_customers_get_no_composer_suggestions(client, customer_a, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Webhook")
    client.force_login(customer_a)
    url = reverse("search:suggest_composer", args=[ticket.key])
    assert client.get(url).status_code == 404


def test_a_suggested_hidden_article_cannot_be_opened_through_the_suggestion_link(
    client, customer_a, library
):
    client.force_login(customer_a)
    for hidden in ("internal", "runbook", "draft"):
        url = reverse("search:open_suggested", args=[library[hidden].slug])
        assert client.get(url).status_code == 404
    assert not SuggestionOpen.objects.exists()


def test_a_suggested_article_opened_without_a_ticket_following_is_a_deflection(
    client, agent, org_a, customer_a, customer_b, library
):
    article = library["public"]
    url = reverse("search:open_suggested", args=[article.slug])
    with time_machine.travel(T0, tick=False):
        for customer in (customer_a, customer_b):
            client.force_login(customer)
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"] == reverse("help:article", args=[article.slug])
    # customer_b sent a ticket anyway, 20 minutes later: not deflected.
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        make_ticket(
            actor=customer_b,
            organization=customer_b.contact.organization,
            requester=customer_b,
            title="Signatures still fail",
        )
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        # Within the window nothing is decided yet.
        assert usage.deflections(now=T0 + timedelta(minutes=30)).count() == 0
    now = T0 + usage.DEFLECTION_WINDOW + timedelta(minutes=1)
    assert [d.user for d in usage.deflections(now=now)] == [customer_a]
    (row,) = [
        a
        for a in usage.article_figures(articles=type(article).objects.all(), now=now)
        if a.pk == article.pk
    ]
    assert (row.suggested_opens, row.deflected) == (2, 1)


def test_article_views_votes_and_linked_tickets_are_counted(
    client, agent, customer_a, org_a, library
):
    article = library["public"]
    client.force_login(customer_a)
    for _ in range(3):
        assert client.get(reverse("help:article", args=[article.slug])).status_code == 200
    client.post(reverse("help:vote", args=[article.slug]), {"helpful": "yes"})
    # A page that is not found counts nothing.
    client.get(reverse("help:article", args=[library["internal"].slug]))
    client.force_login(agent)
    client.get(reverse("kb:article", args=[article.slug]))
    page = client.get(reverse("search:usage"))
    rows = {a.pk: a for a in page.context["articles"]}
    figures = rows[article.pk]
    assert (figures.views, figures.helpful, figures.not_helpful) == (4, 1, 0)
    assert rows[library["internal"].pk].views == 0


def test_the_usage_page_reads_the_same_queries_for_many_articles(
    client, agent, django_assert_num_queries
):
    client.force_login(agent)
    make_article(agent, title="One")
    client.get(reverse("search:usage"))
    with django_assert_num_queries(5) as few:
        client.get(reverse("search:usage"))
    for n in range(20):
        make_article(agent, title=f"More {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("search:usage"))
