"""The agents' one search: full-text ranked with titles first, typo-tolerant titles, highlighted
and escaped snippets, filters, the ticket access policy, documentation gaps, bounded queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kb.models import ArticleKind, ArticleVisibility, KnownIssueStatus, SearchGap
from kb.search import engine, spelling
from tests.factories import make_ticket
from tests.kb.kb_factories import make_article, make_known_issue

pytestmark = pytest.mark.django_db


def _search(user, text, **filters):
    return {
        group.kind: group
        for group in engine.search(user=user, text=text, filters=engine.Filters(**filters), limit=5)
    }


def _titles(group):
    return [str(hit.title).replace("<mark>", "").replace("</mark>", "") for hit in group.hits]


def test_an_article_is_found_by_a_word_in_its_body(agent):
    make_article(agent, title="Exports", body="Large exports need the paginated endpoint.")
    make_article(agent, title="Webhooks", body="Signatures use HMAC.")
    assert _titles(_search(agent, "paginated")["articles"]) == ["Exports"]


def test_an_article_is_found_by_a_misspelled_title_word(agent):
    make_article(agent, title="Password reset emails never arrive", body="Check the spam folder.")
    make_article(agent, title="Rate limits", body="429 means slow down.")
    assert _titles(_search(agent, "pasword")["articles"]) == ["Password reset emails never arrive"]


def test_a_title_match_ranks_above_a_body_match(agent):
    make_article(agent, title="Single sign-on", body="Configure webhooks after SAML.")
    make_article(agent, title="Webhooks retry failed deliveries", body="Five attempts.")
    assert _titles(_search(agent, "webhooks")["articles"]) == [
        "Webhooks retry failed deliveries",
        "Single sign-on",
    ]


def test_a_ticket_and_a_known_issue_are_found_with_highlighted_escaped_snippets(agent, org_a):
    ticket = make_ticket(
        actor=agent,
        organization=org_a,
        title="CSV export stalls",
        description="The <b>export</b> of R&D stalls at 99% with a gateway timeout.",
    )
    make_known_issue(
        agent,
        external_id="KI-7",
        title="Gateway timeout on large exports",
        symptoms="Exports over 1 GB stop with 504.",
    )
    found = _search(agent, "gateway timeout")
    (ticket_hit,) = found["tickets"].hits
    assert ticket_hit.label == ticket.key
    assert ticket_hit.url == ticket.get_absolute_url()
    assert "<mark>gateway</mark> <mark>timeout</mark>" in ticket_hit.snippet
    assert "R&amp;D" in ticket_hit.snippet
    assert "<b>" not in ticket_hit.snippet
    (issue_hit,) = found["known_issues"].hits
    assert issue_hit.label == "KI-7"
    assert str(issue_hit.title) == "<mark>Gateway</mark> <mark>timeout</mark> on large exports"


def test_the_search_never_returns_a_ticket_outside_the_access_policy(
    client, agent, org_a, customer_a
):
    secret = make_ticket(
        actor=customer_a,
        organization=org_a,
        requester=customer_a,
        title="Leaked signing key",
        description="Our signing key was leaked.",
        is_security=True,
    )
    make_ticket(actor=agent, organization=org_a, title="Signing key rotation question")
    assert _titles(_search(agent, "signing key")["tickets"]) == ["Signing key rotation question"]
    # Nor by a misspelling, nor on the page.
    assert "Leaked" not in str(_titles(_search(agent, "leakd signin")["tickets"]))
    client.force_login(agent)
    html = client.get(reverse("search:all") + "?q=signing+key").content.decode()
    assert "Signing key rotation question" in html.replace("<mark>", "").replace("</mark>", "")
    assert secret.key not in html
    assert "Leaked" not in html


def test_customers_cannot_reach_the_agents_search(client, customer_a):
    client.force_login(customer_a)
    assert client.get(reverse("search:all") + "?q=anything").status_code == 404
    assert client.get(reverse("search:usage")).status_code == 404


def test_filters_by_kind_status_and_date(agent, org_a):
    make_article(agent, title="Export limits", body="Exports stop at 1 GB.")
    make_known_issue(
        agent,
        external_id="KI-8",
        title="Exports fail",
        status=KnownIssueStatus.FIXED,
        fix_version="4.2.1",
    )
    make_ticket(actor=agent, organization=org_a, title="Export failed")
    assert set(_search(agent, "export", kind="articles")) == {"articles"}
    fixed = _search(agent, "export", kind="known_issues", status=KnownIssueStatus.FIXED)
    assert [h.label for h in fixed["known_issues"].hits] == ["KI-8"]
    investigating = _search(agent, "export", kind="known_issues", status="investigating")
    assert investigating["known_issues"].hits == []
    later = _search(agent, "export", since=date(2999, 1, 1))
    assert all(group.hits == [] for group in later.values())


def test_a_status_of_another_kind_is_refused_clearly(client, agent):
    client.force_login(agent)
    response = client.get(
        reverse("search:all"), {"q": "x", "kind": "tickets", "status": "articles:draft"}
    )
    assert response.status_code == 200
    assert "That status is not one of tickets." in response.content.decode()


def test_a_search_that_found_nothing_is_a_documentation_gap(client, agent):
    client.force_login(agent)
    client.get(reverse("search:all"), {"q": "  Kerberos   delegation! "})
    client.get(reverse("search:all"), {"q": "kerberos delegation"})
    gap = SearchGap.objects.get()
    assert (gap.query, gap.count) == ("kerberos delegation", 2)
    page = client.get(reverse("search:usage")).content.decode()
    assert "kerberos delegation" in page
    # A search that finds something, or one narrowed by a filter, is no gap.
    make_article(agent, title="Kerberos", body="Not supported.")
    client.get(reverse("search:all"), {"q": "kerberos"})
    client.get(reverse("search:all"), {"q": "nothing here", "kind": "articles"})
    assert SearchGap.objects.count() == 1


def test_the_search_page_reads_a_bounded_number_of_queries(
    client, agent, org_a, django_assert_max_num_queries
):
    for n in range(12):
        make_article(agent, title=f"Exports {n}", body="Exports run nightly.")
        make_known_issue(agent, external_id=f"KI-{900 + n}", title=f"Exports {n} fail")
        make_ticket(actor=agent, organization=org_a, title=f"Exports {n} slow")
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("search:all"), {"q": "exports"})
    html = response.content.decode()
    assert html.count('class="search-hit"') == 15
    assert "More articles and runbooks" in html


def test_internal_articles_and_runbooks_are_found_by_agents(agent):
    make_article(agent, title="Failover runbook", kind=ArticleKind.RUNBOOK)
    make_article(agent, title="Failover notes", visibility=ArticleVisibility.INTERNAL)
    assert sorted(_titles(_search(agent, "failover")["articles"])) == [
        "Failover notes",
        "Failover runbook",
    ]


def test_the_help_centre_search_is_full_text_typo_tolerant_and_records_gaps(
    client, agent, customer_a
):
    make_article(agent, title="Exports", body="Large exports need the paginated endpoint.")
    make_article(agent, title="Password reset emails never arrive", body="Check spam.")
    make_article(
        agent,
        title="Paginated internal notes",
        body="paginated",
        visibility=ArticleVisibility.INTERNAL,
    )
    client.force_login(customer_a)

    def found(q):
        response = client.get(reverse("help:home"), {"q": q})
        return [a.title for a in response.context["results"]]

    assert found("paginated") == ["Exports"]
    assert found("pasword") == ["Password reset emails never arrive"]
    assert found("kerberos") == []
    assert SearchGap.objects.get().query == "kerberos"


def test_a_ticket_is_found_by_a_misspelt_title_word_through_the_vocabulary(agent, org_a):
    make_ticket(actor=agent, organization=org_a, title="Webhook deliveries failing with 401")
    make_ticket(actor=agent, organization=org_a, title="Invoice totals wrong")
    spelling.search_words_refresh()
    (hit,) = _search(agent, "webhok deliveries")["tickets"].hits
    assert str(hit.title) == "<mark>Webhook</mark> <mark>deliveries</mark> failing with 401"


def test_snippets_read_as_prose_without_markdown_marks(agent):
    make_article(agent, title="Retries", body="## Solution\n\n**Honour** the `Retry-After` header.")
    (hit,) = _search(agent, "honour")["articles"].hits
    for markup in "#*`":
        assert markup not in hit.snippet
    assert "<mark>Honour</mark>" in hit.snippet
