"""Contacts reach public, published articles only; runbooks, internal or unpublished articles
and known issues answer 404 and appear in no list, search or API answer of theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb.models import ArticleKind, ArticleStatus, ArticleVisibility
from tests.kb.kb_factories import make_article, make_known_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(agent):
    return {
        "public": make_article(agent, title="Rotating keys safely"),
        "internal": make_article(
            agent, title="Rotating keys internal notes", visibility=ArticleVisibility.INTERNAL
        ),
        "runbook": make_article(
            agent,
            title="Rotating keys runbook",
            kind=ArticleKind.RUNBOOK,
            visibility=ArticleVisibility.PUBLIC,  # a runbook marked public is still internal
        ),
        "draft": make_article(agent, title="Rotating keys draft", status=ArticleStatus.DRAFT),
        "archived": make_article(
            agent, title="Rotating keys archived", status=ArticleStatus.ARCHIVED
        ),
    }


HIDDEN = ("internal", "runbook", "draft", "archived")


def test_help_centre_lists_and_finds_only_public_published_articles(client, customer_a, articles):
    client.force_login(customer_a)
    for url in (
        reverse("help:home"),
        reverse("help:home") + "?q=rotating",
        reverse("help:category", args=["troubleshooting"]),
    ):
        html = client.get(url).content.decode()
        assert "Rotating keys safely" in html, url
        for name in HIDDEN:
            assert articles[name].title not in html, (url, name)


def test_hidden_articles_answer_404_on_every_customer_path(client, customer_a, articles):
    client.force_login(customer_a)
    assert client.get(reverse("help:article", args=[articles["public"].slug])).status_code == 200
    for name in HIDDEN:
        slug = articles[name].slug
        assert client.get(reverse("help:article", args=[slug])).status_code == 404, name
        assert client.post(reverse("help:vote", args=[slug]), {"helpful": "yes"}).status_code == 404
        assert client.get(reverse("kb:article", args=[slug])).status_code == 404
        assert client.get(f"/api/v1/articles/{slug}/").status_code == 404


def test_the_api_lists_only_public_published_articles_to_a_contact(
    client, customer_a, agent, articles
):
    client.force_login(customer_a)
    body = client.get("/api/v1/articles/").json()
    assert [a["slug"] for a in body["results"]] == [articles["public"].slug]
    client.force_login(agent)
    assert len(client.get("/api/v1/articles/").json()["results"]) == 5


def test_known_issues_are_agent_side_only(client, customer_a, agent):
    issue = make_known_issue(agent, external_id="KI-900")
    client.force_login(customer_a)
    for url in (
        reverse("kb:known_issues"),
        reverse("kb:known_issue", args=[issue.external_id]),
        reverse("kb:known_issue_edit", args=[issue.external_id]),
        reverse("kb:articles"),
        "/api/v1/known-issues/",
        "/api/v1/known-issues/KI-900/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"KI-900" not in response.content
    api_404 = client.get("/api/v1/known-issues/KI-900/").json()
    assert api_404["error"]["code"] == "not_found"
    client.force_login(agent)
    assert client.get("/api/v1/known-issues/KI-900/").json()["id"] == "KI-900"


def test_the_ticket_panel_and_its_actions_are_not_for_contacts(client, customer_a, agent, org_a):
    from tests.factories import make_ticket

    ticket = make_ticket(actor=customer_a, organization=org_a)
    client.force_login(customer_a)
    assert client.get(reverse("kb:ticket_panel", args=[ticket.key])).status_code == 404
    response = client.post(reverse("kb:article_from_ticket", args=[ticket.key]))
    assert response.status_code == 404
