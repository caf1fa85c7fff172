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

__all__ = [
    "Article",
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
]
