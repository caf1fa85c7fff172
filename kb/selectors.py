"""The knowledge base's one access policy: every page, search, suggestion and API of kb reads
articles and known issues only through these functions.

A customer contact sees public, published articles (never a runbook, an internal or unpublished
article, nor any known issue); an agent-side user sees everything. Anything else answers 404.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from helpdesk.models import User
from kb.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    ArticleVisibility,
    KnownIssue,
    KnownIssueTicket,
)
from tickets.choices import Status
from tickets.selectors import tickets_visible_to

PUBLIC_ARTICLE = Q(
    kind=ArticleKind.ARTICLE,
    visibility=ArticleVisibility.PUBLIC,
    status=ArticleStatus.PUBLISHED,
)


def articles_visible_to(user: User) -> QuerySet[Article]:
    if user.is_authenticated and user.is_agent_side:
        return Article.objects.all()
    return Article.objects.filter(PUBLIC_ARTICLE)


def article_get_for_user(user: User, slug: str) -> Article:
    article = articles_visible_to(user).filter(slug=slug).first()
    if article is None:
        raise Http404
    return article


def known_issues_visible_to(user: User) -> QuerySet[KnownIssue]:
    if user.is_authenticated and user.is_agent_side:
        return KnownIssue.objects.all()
    return KnownIssue.objects.none()


def known_issue_get_for_user(user: User, external_id: str) -> KnownIssue:
    issue = known_issues_visible_to(user).filter(external_id__iexact=external_id).first()
    if issue is None:
        raise Http404
    return issue


def known_issues_with_counts(user: User) -> QuerySet[KnownIssue]:
    """The list page: each issue with how many tickets it has (one query with the page)."""
    return known_issues_visible_to(user).annotate(ticket_count=Count("ticket_links"))


def ticket_links_of(user: User, issue: KnownIssue) -> QuerySet[KnownIssueTicket]:
    """The issue's tickets that `user` may see (the ticket access policy), newest link first."""
    return (
        issue.ticket_links.filter(ticket__in=tickets_visible_to(user))
        .select_related("ticket", "ticket__organization", "linked_by")
        .order_by("-linked_at", "-id")
    )


def awaiting_follow_up(user: User, issue: KnownIssue) -> QuerySet[KnownIssueTicket]:
    """Linked tickets whose customers have not yet been told of the fix: every linked ticket
    not closed (a ticket resolved as this known issue was promised news of the fix)."""
    return (
        ticket_links_of(user, issue)
        .filter(followed_up_at__isnull=True)
        .exclude(ticket__status=Status.CLOSED)
    )
