"""Suggestions while typing: articles and known issues that match what is being written.

A draft is not a search query: any of its words may be the one that matters, so the words are
OR-ed (to_tsquery 'a | b | c') and ranked, titles first. Bounded like the search: the most recent
CANDIDATES matches are ranked.
"""

from __future__ import annotations

import re

from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from helpdesk.models import User
from kb import selectors
from kb.models import Article, ArticleStatus, KnownIssue
from kb.search.engine import CANDIDATES
from kb.search.vectors import ARTICLE_COLUMN, KNOWN_ISSUE_COLUMN

MAX_WORDS = 16
_WORD = re.compile(r"[^\W_]{3,}")
ANY_WORD = "to_tsquery('english'::regconfig, %s)"


def any_word_query(text: str) -> str:
    """'word | word | …' of the draft's distinct words (letters and digits only, so the
    string is always a valid tsquery), or '' when it has none worth matching."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in words:
            words.append(word)
        if len(words) == MAX_WORDS:
            break
    return " | ".join(words)


def _best(qs: QuerySet, vector: str, tsquery: str, limit: int, when: str) -> list:
    if not tsquery:
        return []
    matches = qs.filter(
        RawSQL(f"{vector} @@ {ANY_WORD}", [tsquery], output_field=BooleanField())
    ).order_by(f"-{when}", "-id")
    return list(
        qs.model.objects.filter(id__in=matches.values("id")[:CANDIDATES])
        .annotate(score=RawSQL(f"ts_rank({vector}, {ANY_WORD})", [tsquery], FloatField()))
        .order_by("-score", f"-{when}", "-id")[:limit]
    )


def for_composer(
    *, user: User, text: str, limit: int = 3
) -> tuple[list[Article], list[KnownIssue]]:
    """Published articles and runbooks, and known issues, matching the ticket and the draft."""
    tsquery = any_word_query(text)
    articles = selectors.articles_visible_to(user).filter(status=ArticleStatus.PUBLISHED)
    issues = selectors.known_issues_visible_to(user)
    return (
        _best(articles, ARTICLE_COLUMN, tsquery, limit, "updated_at"),
        _best(issues, KNOWN_ISSUE_COLUMN, tsquery, limit, "updated_at"),
    )


def for_portal(*, user: User, text: str, limit: int = 5) -> list[Article]:
    """Public, published articles only, whoever asks."""
    articles = selectors.articles_visible_to(user).filter(selectors.PUBLIC_ARTICLE)
    return _best(articles, ARTICLE_COLUMN, any_word_query(text), limit, "updated_at")
