"""Articles: sanitised rendering, revisions and their diff, drafts from a resolved ticket, votes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import diff
from kb.models import Article, ArticleVote
from kb.services import article_update, article_vote
from tests.factories import make_ticket
from tests.kb.kb_factories import make_article, make_known_issue
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

PAYLOAD = (
    "<script>alert(1)</script>\n\n"
    '<img src=x onerror="alert(2)">\n\n'
    "[click me](javascript:alert(3))\n\n"
    '<a href="javascript:alert(4)" onclick="alert(5)">link</a>\n'
)


def _no_active_content(html: str) -> None:
    lower = html.lower()
    assert "<script>alert" not in lower
    assert "onerror" not in lower
    assert "onclick" not in lower
    assert "javascript:" not in lower


def test_hostile_markdown_is_rendered_inert_on_every_page(client, agent, customer_a):
    article = make_article(agent, title="Hostile", body=PAYLOAD, summary="<b>x</b>")
    issue = make_known_issue(agent, symptoms=PAYLOAD, workaround=PAYLOAD)
    client.force_login(agent)
    for url in (
        reverse("kb:article", args=[article.slug]),
        reverse("kb:known_issue", args=[issue.external_id]),
    ):
        _no_active_content(client.get(url).content.decode())
    assert "javascript:" not in client.get(f"/api/v1/articles/{article.slug}/").json()["body_html"]
    client.force_login(customer_a)
    _no_active_content(client.get(reverse("help:article", args=[article.slug])).content.decode())


def test_each_edit_of_title_or_body_is_a_revision_with_author_and_time(agent, manager):
    article = make_article(agent, title="Webhooks", body="line one\nline two\n")
    article_update(article=article, author=manager, body="line one\nline 2\nline three\n")
    article_update(article=article, author=manager, status="archived")  # no text change
    revisions = list(article.revisions.order_by("number"))
    assert [(r.number, r.author) for r in revisions] == [(1, agent), (2, manager)]
    assert revisions[1].body == "line one\nline 2\nline three\n"
    assert revisions[1].created_at is not None


def test_the_diff_pairs_changed_lines_and_shows_additions(agent):
    rows = diff.side_by_side("a\nb\nc\n", "a\nB\nc\nd\n")
    kinds = [(r.kind, r.left, r.right) for r in rows]
    assert ("changed", "b", "B") in kinds
    assert ("added", "", "d") in kinds
    assert ("same", "a", "a") in kinds


def test_history_page_compares_any_two_revisions_escaped(client, agent):
    article = make_article(agent, title="Diffs", body="first\n")
    article_update(article=article, author=agent, body="second <script>alert(1)</script>\n")
    article_update(article=article, author=agent, body="third\n")
    client.force_login(agent)
    url = reverse("kb:article_history", args=[article.slug]) + "?from=1&to=2"
    html = client.get(url).content.decode()
    assert "first" in html
    assert "second &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "third" not in html.split('class="kb-diff"')[1].split("</table>")[0]


def test_create_kb_article_on_a_resolved_ticket_prefills_a_linked_draft(client, agent, org_a):
    ticket = make_ticket(
        actor=agent,
        organization=org_a,
        title="SSO login fails for every user",
        description="Since this morning nobody can sign in with SSO.",
        error_message="Invalid credentials",
    )
    ticket_services.comment_add(
        ticket=ticket, author=agent, body="Issuer URL changed at the IdP.", is_internal=True
    )
    ticket_services.ticket_transition(
        ticket=ticket, to="resolved", actor=agent, message="We updated the issuer URL."
    )
    client.force_login(agent)
    response = client.post(reverse("kb:article_from_ticket", args=[ticket.key]))
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("kb:article_edit", args=[article.slug])
    assert article.title == "SSO login fails for every user"
    assert article.status == "draft"
    assert article.visibility == "internal"
    body = article.body
    for heading in ("## Symptoms", "## Cause", "## Solution", "## Prevention"):
        assert heading in body
    symptoms, rest = body.split("## Cause")
    cause, solution = rest.split("## Solution")
    assert "nobody can sign in" in symptoms
    assert "Invalid credentials" in symptoms
    assert "Issuer URL changed" in cause
    assert "We updated the issuer URL." in solution
    assert article.ticket_links.get().ticket == ticket
    panel = client.get(reverse("kb:ticket_panel", args=[ticket.key])).content.decode()
    assert article.title in panel


def test_an_open_ticket_offers_no_article_and_refuses_one(client, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    client.force_login(agent)
    panel = client.get(reverse("kb:ticket_panel", args=[ticket.key])).content.decode()
    assert "Create KB article" not in panel
    client.post(reverse("kb:article_from_ticket", args=[ticket.key]))
    assert not Article.objects.exists()


def test_one_vote_per_user_and_article(client, agent, customer_a):
    article = make_article(agent)
    client.force_login(customer_a)
    url = reverse("help:vote", args=[article.slug])
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})
    vote = ArticleVote.objects.get()
    assert (vote.user, vote.helpful) == (customer_a, False)
    article_vote(article=article, user=customer_a, helpful=True)
    assert ArticleVote.objects.count() == 1


def test_list_pages_read_a_bounded_number_of_queries(
    client, agent, customer_a, django_assert_max_num_queries
):
    for i in range(3):
        make_article(agent, title=f"Few {i}")
    make_known_issue(agent)
    pages = [
        (agent, reverse("kb:articles")),
        (agent, reverse("kb:known_issues")),
        (customer_a, reverse("help:home")),
    ]
    counts = {}
    for user, url in pages:
        client.force_login(user)
        client.get(url)
        with django_assert_max_num_queries(15) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    for i in range(30):
        make_article(agent, title=f"Many {i}", category=["faq", "security"][i % 2])
        make_known_issue(agent)
    for user, url in pages:
        client.force_login(user)
        with django_assert_max_num_queries(15) as captured:
            client.get(url)
        assert len(captured.captured_queries) == counts[url], url
