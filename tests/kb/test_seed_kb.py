"""The demo knowledge base: articles across the categories, three runbooks, and the known issues
the demo tickets mention, linked to those tickets."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kb.management.commands._kb_demo import KNOWN_ISSUES
from kb.models import Article, KnownIssue

pytestmark = pytest.mark.django_db


def test_seed_kb_loads_once_and_links_the_demo_tickets():
    call_command("seed_demo", tickets=60, seed=7)
    call_command("seed_kb", if_empty=True)
    call_command("seed_kb", if_empty=True)
    articles = Article.objects.filter(kind="article")
    assert articles.count() >= 12
    assert set(articles.values_list("category", flat=True)) == {
        "getting_started",
        "api_reference",
        "troubleshooting",
        "faq",
        "security",
        "integration",
    }
    assert Article.objects.filter(kind="runbook", visibility="internal").count() == 3
    assert Article.objects.filter(revisions__isnull=True).count() == 0
    assert set(KnownIssue.objects.values_list("external_id", flat=True)) == {
        "KI-31",
        "KI-44",
        "KI-52",
    }
    # Each issue is linked to the demo tickets of the scenario that mentions it.
    scenario_title = {row[0]: row[-1] for row in KNOWN_ISSUES}
    for issue in KnownIssue.objects.all():
        for link in issue.ticket_links.select_related("ticket"):
            assert scenario_title[issue.external_id] in link.ticket.title, (issue, link.ticket)
    assert KnownIssue.objects.filter(ticket_links__isnull=False).exists()
