"""Articles and known issues for tests, made through the kb services."""

from __future__ import annotations

import itertools

from kb.models import ArticleKind, ArticleStatus, ArticleVisibility
from kb.services import article_create, known_issue_save

_ids = itertools.count(100)


def make_article(author, **fields):
    fields.setdefault("title", f"Article {next(_ids)}")
    fields.setdefault("body", "## Symptoms\n\nIt hurts.")
    fields.setdefault("status", ArticleStatus.PUBLISHED)
    fields.setdefault("visibility", ArticleVisibility.PUBLIC)
    fields.setdefault("kind", ArticleKind.ARTICLE)
    return article_create(author=author, **fields)


def make_known_issue(actor, **fields):
    fields.setdefault("external_id", f"KI-{next(_ids)}")
    fields.setdefault("title", "Exports time out")
    fields.setdefault("component", "Exports API")
    fields.setdefault("workaround", "Export by month instead of by year.")
    return known_issue_save(actor=actor, **fields)
