"""Every change to the knowledge base goes through these services (keyword-only, atomic)."""

from kb.services.articles import (
    article_create,
    article_link_ticket,
    article_update,
    article_vote,
    draft_from_ticket,
)
from kb.services.known_issues import (
    known_issue_close_ticket,
    known_issue_follow_up,
    known_issue_link_ticket,
    known_issue_save,
)

__all__ = [
    "article_create",
    "article_link_ticket",
    "article_update",
    "article_vote",
    "draft_from_ticket",
    "known_issue_close_ticket",
    "known_issue_follow_up",
    "known_issue_link_ticket",
    "known_issue_save",
]
