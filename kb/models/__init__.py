"""Knowledge-base models, one module per subdomain, re-exported here."""

from kb.models.articles import (
    Article,
    ArticleCategory,
    ArticleKind,
    ArticleRevision,
    ArticleStatus,
    ArticleTicket,
    ArticleVisibility,
    ArticleVote,
)
from kb.models.known_issues import KnownIssue, KnownIssueStatus, KnownIssueTicket
from kb.search.models import ArticleDailyViews, SearchGap, SearchWord, SuggestionOpen

__all__ = [
    "Article",
    "ArticleDailyViews",
    "ArticleCategory",
    "ArticleKind",
    "ArticleRevision",
    "ArticleStatus",
    "ArticleTicket",
    "ArticleVisibility",
    "ArticleVote",
    "KnownIssue",
    "KnownIssueStatus",
    "KnownIssueTicket",
    "SearchGap",
    "SearchWord",
    "SuggestionOpen",
]
