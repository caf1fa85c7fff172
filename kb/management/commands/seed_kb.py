"""Demo knowledge base (after `seed_demo`): articles, runbooks and the known issues that the demo
tickets mention, linked to those tickets."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from helpdesk import clock
from helpdesk.models import User
from kb.models import Article, ArticleKind, ArticleStatus, KnownIssue
from kb.services import article_create, known_issue_link_ticket, known_issue_save
from tickets.models import Ticket

from ._kb_demo import ARTICLES, KNOWN_ISSUES, RUNBOOKS

ARTICLE_FOR_ISSUE = {
    "KI-31": "Paging through large result sets with cursors",
    "KI-52": "Python SDK TypeError with httpx 0.28",
}


class Command(BaseCommand):
    help = "Load demo articles, runbooks and known issues, linked to the demo tickets."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when articles already exist"
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and (Article.objects.exists() or KnownIssue.objects.exists()):
            self.stdout.write("The knowledge base has content: no demo loaded.")
            return
        author = (
            User.objects.filter(role__in=["agent", "manager", "admin"], is_active=True)
            .order_by("id")
            .first()
        )
        if author is None:
            self.stdout.write("No agent yet (run seed_demo first): no knowledge base loaded.")
            return
        with transaction.atomic():
            linked = self._load(author)
        self.stdout.write(
            f"Knowledge base loaded: {len(ARTICLES)} articles, {len(RUNBOOKS)} runbooks, "
            f"{len(KNOWN_ISSUES)} known issues linked to {linked} demo tickets."
        )

    def _load(self, author: User) -> int:
        now = clock.now()
        articles = {}
        for title, category, visibility, summary, body in ARTICLES:
            articles[title] = article_create(
                author=author,
                title=title,
                category=category,
                visibility=visibility,
                summary=summary,
                body=body,
                status=ArticleStatus.PUBLISHED if visibility == "public" else ArticleStatus.DRAFT,
                now=now,
            )
        for title, category, summary, body in RUNBOOKS:
            article_create(
                author=author,
                title=title,
                kind=ArticleKind.RUNBOOK,
                category=category,
                visibility="internal",
                summary=summary,
                body=body,
                status=ArticleStatus.PUBLISHED,
                now=now,
            )
        linked = 0
        for (
            external_id,
            title,
            component,
            versions,
            signatures,
            symptoms,
            workaround,
            status,
            fix_version,
            ticket_title,
        ) in KNOWN_ISSUES:
            issue = known_issue_save(
                actor=author,
                external_id=external_id,
                title=title,
                component=component,
                affected_versions=versions,
                error_signatures=signatures,
                symptoms=symptoms,
                workaround=workaround,
                status=status,
                fix_version=fix_version,
                article=articles.get(ARTICLE_FOR_ISSUE.get(external_id, "")),
                now=now,
            )
            tickets = Ticket.objects.filter(title__icontains=ticket_title).order_by("created_at")
            for ticket in tickets:
                # Dated when the ticket came in, so the frequency table spreads over weeks.
                known_issue_link_ticket(
                    issue=issue, ticket=ticket, actor=author, now=ticket.created_at
                )
                linked += 1
        return linked
