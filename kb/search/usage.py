"""Recording and reading the knowledge base's usage: article views, suggested articles opened,
deflections, and searches that found nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from helpdesk.models import User
from kb.models import (
    Article,
    ArticleDailyViews,
    ArticleTicket,
    ArticleVote,
    SearchGap,
    SuggestionOpen,
)
from kb.search.models import SuggestionPlace
from tickets.models import Ticket

# A contact who opens a suggested article and sends no ticket within this time was helped by it
# (a portal session rarely lasts longer; a ticket sent the next day is a new attempt).
DEFLECTION_WINDOW = timedelta(hours=1)
GAPS_SHOWN = 100
ARTICLES_SHOWN = 100
_NOT_WORD = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """The form a gap is counted under: lower case, punctuation dropped, spaces collapsed."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text.lower())).strip()[:200]


@transaction.atomic
def article_viewed(*, slug: str, now: datetime) -> None:
    """One more view of the article today: one upsert, whatever the article's traffic."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO kb_articledailyviews (article_id, day, views)"
            " SELECT id, %s, 1 FROM kb_article WHERE slug = %s"
            " ON CONFLICT (article_id, day)"
            " DO UPDATE SET views = kb_articledailyviews.views + 1",
            [timezone.localdate(now), slug],
        )


@transaction.atomic
def search_found_nothing(*, text: str, now: datetime) -> SearchGap | None:
    query = normalise_query(text)
    if not query:
        return None
    gap, created = SearchGap.objects.select_for_update().get_or_create(
        query=query, defaults={"count": 1, "first_searched_at": now, "last_searched_at": now}
    )
    if not created:
        SearchGap.objects.filter(pk=gap.pk).update(count=F("count") + 1, last_searched_at=now)
        gap.refresh_from_db()
    return gap


@transaction.atomic
def suggestion_opened(
    *, article: Article, user: User, place: SuggestionPlace, now: datetime
) -> SuggestionOpen:
    return SuggestionOpen.objects.create(article=article, user=user, place=place, opened_at=now)


def deflections(*, now: datetime) -> QuerySet[SuggestionOpen]:
    """Suggested articles opened from the portal's new-ticket form, more than the deflection
    window ago, after which their contact sent no ticket within the window."""
    followed = Ticket.objects.filter(
        requester=OuterRef("user"),
        created_at__gte=OuterRef("opened_at"),
        created_at__lte=ExpressionWrapper(
            OuterRef("opened_at") + Value(DEFLECTION_WINDOW), output_field=DateTimeField()
        ),
    )
    return SuggestionOpen.objects.filter(
        place=SuggestionPlace.PORTAL, opened_at__lte=now - DEFLECTION_WINDOW
    ).filter(~Exists(followed))


def _per_article(qs: QuerySet, value) -> Subquery:
    return Coalesce(
        Subquery(
            qs.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(n=value)
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def article_figures(*, articles: QuerySet[Article], now: datetime) -> QuerySet[Article]:
    """Articles with views, votes, linked tickets, suggestion opens and deflections (one query),
    most viewed first."""
    return articles.annotate(
        views=_per_article(ArticleDailyViews.objects.all(), Sum("views")),
        helpful=_per_article(ArticleVote.objects.filter(helpful=True), Count("id")),
        not_helpful=_per_article(ArticleVote.objects.filter(helpful=False), Count("id")),
        linked_tickets=_per_article(ArticleTicket.objects.all(), Count("id")),
        suggested_opens=_per_article(SuggestionOpen.objects.all(), Count("id")),
        deflected=_per_article(deflections(now=now), Count("id")),
    ).order_by("-views", "-linked_tickets", "title", "id")


def documentation_gaps() -> QuerySet[SearchGap]:
    return SearchGap.objects.order_by("-count", "-last_searched_at")
