"""Articles: create, edit (each save is a revision), link to tickets, votes, drafts from tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from helpdesk import clock
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User
from kb.models import Article, ArticleRevision, ArticleStatus, ArticleTicket, ArticleVote
from kb.selectors import PUBLIC_ARTICLE
from tickets.choices import Status
from tickets.models import Ticket

MAX_TITLE = 200
MAX_BODY = 100_000

# The troubleshooting template of the playbook (seed 000: "Create KB Article").
TROUBLESHOOTING_TEMPLATE = """## Symptoms

{symptoms}

## Cause

{cause}

## Solution

{solution}

## Prevention

{prevention}
"""
BLANK = "_To be written._"


def _check(title: str, body: str) -> None:
    if not title.strip():
        raise DomainError("An article needs a title.", field="title", code="required")
    if len(title) > MAX_TITLE:
        raise DomainError(
            f"The title is longer than {MAX_TITLE} characters.", field="title", code="too_long"
        )
    if len(body) > MAX_BODY:
        raise DomainError(
            f"The body is longer than {MAX_BODY:,} characters.", field="body", code="too_long"
        )


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "article"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def record_revision(
    article: Article, *, author: User | None, now: datetime, note: str = ""
) -> None:
    last = article.revisions.aggregate(n=Max("number"))["n"] or 0
    ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        author=author,
        created_at=now,
        title=article.title,
        body=article.body,
        note=note,
    )


def _require_agent(user: User) -> None:
    if not user.is_agent_side:
        raise Forbidden("Only agents can write articles.")


@transaction.atomic
def article_create(
    *,
    author: User,
    title: str,
    body: str = "",
    kind: str = "article",
    category: str = "troubleshooting",
    visibility: str = "internal",
    status: str = ArticleStatus.DRAFT,
    summary: str = "",
    slug: str = "",
    source_ticket: Ticket | None = None,
    now: datetime | None = None,
) -> Article:
    """A new article with its first revision; `source_ticket` links the ticket it came from."""
    _require_agent(author)
    _check(title, body)
    now = now or clock.now()
    article = Article(
        kind=kind,
        category=category,
        visibility=visibility,
        status=status,
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        slug=slug or _unique_slug(title),
        author=author,
        created_at=now,
        updated_at=now,
        published_at=now if status == ArticleStatus.PUBLISHED else None,
    )
    article.full_clean(exclude=["author"])
    article.save()
    record_revision(article, author=author, now=now, note="Created")
    if source_ticket is not None:
        ArticleTicket.objects.create(
            article=article, ticket=source_ticket, linked_by=author, linked_at=now, is_source=True
        )
    return article


@transaction.atomic
def article_update(
    *, article: Article, author: User, now: datetime | None = None, note: str = "", **fields
) -> Article:
    """Change an article; a change of title or body is saved as a new revision."""
    _require_agent(author)
    article = Article.objects.select_for_update().get(pk=article.pk)
    allowed = {"title", "body", "summary", "kind", "category", "visibility", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.", code="invalid")
    text_changed = any(k in fields and fields[k] != getattr(article, k) for k in ("title", "body"))
    for name, value in fields.items():
        setattr(article, name, value.strip() if name in ("title", "summary") else value)
    _check(article.title, article.body)
    article.full_clean(exclude=["author"])
    now = now or clock.now()
    article.updated_at = now
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now
    article.save()
    if text_changed:
        record_revision(article, author=author, now=now, note=note)
    return article


@transaction.atomic
def article_link_ticket(
    *, article: Article, ticket: Ticket, actor: User, now: datetime | None = None
) -> ArticleTicket:
    """Relate an article to a ticket; linking twice keeps the first link."""
    _require_agent(actor)
    link, _ = ArticleTicket.objects.get_or_create(
        article=article,
        ticket=ticket,
        defaults={"linked_by": actor, "linked_at": now or clock.now()},
    )
    return link


@transaction.atomic
def article_vote(
    *, article: Article, user: User, helpful: bool, now: datetime | None = None
) -> ArticleVote:
    """'Was this helpful?': one vote per user and article; a second vote replaces the first."""
    if not Article.objects.filter(PUBLIC_ARTICLE, pk=article.pk).exists() and not (
        user.is_agent_side
    ):
        raise DomainError("This article does not take votes.", code="not_found")
    try:
        vote, _ = ArticleVote.objects.update_or_create(
            article=article,
            user=user,
            defaults={"helpful": helpful, "voted_at": now or clock.now()},
        )
    except IntegrityError:  # two clicks at once: the other one stored the vote
        vote = ArticleVote.objects.get(article=article, user=user)
    return vote


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    summary: str


def _quote(text: str) -> str:
    return text.strip() or BLANK


def draft_from_ticket(*, ticket: Ticket) -> Draft:
    """What "Create KB article" on a resolved ticket starts from, in the troubleshooting
    template: symptoms from the description (and the error the customer saw), cause from the
    internal notes, solution from the agents' public replies that resolved it (the last one,
    which went with the resolution, first)."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise DomainError(
            "Write an article from a ticket once it is resolved.", code="not_resolved"
        )
    comments = list(
        ticket.comments.filter(author__isnull=False)
        .select_related("author")
        .order_by("created_at", "id")
    )
    notes = [c.body for c in comments if c.is_internal]
    replies = [c.body for c in comments if not c.is_internal and c.author.is_agent_side]
    symptoms = ticket.description.strip()
    if ticket.error_message.strip():
        symptoms = f"{symptoms}\n\nError seen:\n\n```\n{ticket.error_message.strip()}\n```"
    solution = replies[-1] if replies else ""
    body = TROUBLESHOOTING_TEMPLATE.format(
        symptoms=_quote(symptoms),
        cause=_quote("\n\n".join(notes)),
        solution=_quote(solution),
        prevention=BLANK,
    )
    return Draft(title=ticket.title, body=body, summary="")
