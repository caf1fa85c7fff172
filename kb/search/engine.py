"""The agents' one search across tickets, articles and known issues.

Each kind is read through its own access policy (tickets.selectors for tickets, kb.selectors for
articles and known issues), matched with PostgreSQL full-text search (websearch syntax: words,
"a phrase", -word, or) and, for typos, pg_trgm's word similarity on titles. Every kind is bounded:
the most recent CANDIDATES matches are ranked (ts_rank, titles weigh most) and the best `limit`
shown, so a common word costs the same as a rare one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from helpdesk.models import User
from kb import selectors
from kb.models import Article, ArticleStatus, KnownIssue, KnownIssueStatus
from kb.search import spelling
from kb.search.highlight import SNIPPET_OPTIONS, TITLE_OPTIONS, marked
from kb.search.vectors import ARTICLE_COLUMN, KNOWN_ISSUE_COLUMN, TICKET_VECTOR
from tickets.choices import Status
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to

CANDIDATES = 200
TSQUERY = "websearch_to_tsquery('english'::regconfig, %s)"
TICKETS, ARTICLES, KNOWN_ISSUES = "tickets", "articles", "known_issues"
KINDS = {TICKETS: "Tickets", ARTICLES: "Articles and runbooks", KNOWN_ISSUES: "Known issues"}


@dataclass(frozen=True)
class Filters:
    kind: str = ""  # one of KINDS, or every kind
    status: str = ""  # a status of that kind
    since: date | None = None
    until: date | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.status or self.since or self.until)


@dataclass
class Hit:
    kind: str
    url: str
    title: SafeString
    snippet: SafeString
    status: str
    status_label: str
    when: datetime
    label: str = ""  # the ticket's key or the known issue's id
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class KindResults:
    kind: str
    label: str
    hits: list[Hit]
    more: bool  # more matches than shown


@dataclass(frozen=True)
class _Kind:
    """How one kind is searched: where its rows come from and which columns mean what."""

    model: type
    rows: Callable[[User], QuerySet]
    vector: str
    title: str
    body: str  # SQL of the text the snippet is cut from
    when: str
    fuzzy_with_text: bool  # trigram on titles in the same query (small tables)
    build: Callable[[Any, SafeString, SafeString], Hit]


def _ticket_hit(row: Ticket, title: SafeString, snippet: SafeString) -> Hit:
    return Hit(
        kind=TICKETS,
        url=row.get_absolute_url(),
        title=title,
        snippet=snippet,
        status=row.status,
        status_label=row.get_status_display(),
        when=row.created_at,
        label=row.key,
        extra={"severity": row.severity},
    )


def _article_hit(row: Article, title: SafeString, snippet: SafeString) -> Hit:
    return Hit(
        kind=ARTICLES,
        url=row.get_absolute_url(),
        title=title,
        snippet=snippet,
        status=row.status,
        status_label=row.get_status_display(),
        when=row.updated_at,
        label=row.get_kind_display(),
        extra={"visibility": row.visibility, "category": row.get_category_display()},
    )


def _known_issue_hit(row: KnownIssue, title: SafeString, snippet: SafeString) -> Hit:
    return Hit(
        kind=KNOWN_ISSUES,
        url=row.get_absolute_url(),
        title=title,
        snippet=snippet,
        status=row.status,
        status_label=row.get_status_display(),
        when=row.updated_at,
        label=row.external_id,
        extra={"fix_version": row.fix_version},
    )


# Snippets are cut from the text with Markdown's heading, emphasis, code and quote marks blanked,
# so a result reads as prose rather than "## Solution **Honour** Retry".
def _plain(sql: str) -> str:
    return f"regexp_replace({sql}, '[#*`>_~|]+', ' ', 'g')"


SPECS: dict[str, _Kind] = {
    TICKETS: _Kind(
        model=Ticket,
        rows=tickets_visible_to,
        vector=TICKET_VECTOR,
        title="title",
        body=_plain("left(description, 4000)"),
        when="created_at",
        fuzzy_with_text=False,
        build=_ticket_hit,
    ),
    ARTICLES: _Kind(
        model=Article,
        rows=selectors.articles_visible_to,
        vector=ARTICLE_COLUMN,
        title="title",
        body=_plain("left(coalesce(nullif(summary, '') || ' ', '') || body, 4000)"),
        when="updated_at",
        fuzzy_with_text=True,
        build=_article_hit,
    ),
    KNOWN_ISSUES: _Kind(
        model=KnownIssue,
        rows=selectors.known_issues_visible_to,
        vector=KNOWN_ISSUE_COLUMN,
        title="title",
        body=(
            _plain(
                "left(symptoms || ' ' || workaround || ' '"
                " || kb_signatures_text(error_signatures), 4000)"
            )
        ),
        when="updated_at",
        fuzzy_with_text=True,
        build=_known_issue_hit,
    ),
}


def status_choices(kind: str) -> list[tuple[str, str]]:
    return {
        TICKETS: list(Status.choices),
        ARTICLES: list(ArticleStatus.choices),
        KNOWN_ISSUES: list(KnownIssueStatus.choices),
    }[kind]


def _condition(sql: str, params: list) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())


def _ranked(spec: _Kind, qs: QuerySet, text: str, limit: int) -> list[int]:
    """Ids of the best matches, best first: the most recent CANDIDATES matches ranked."""
    matches = f"{spec.vector} @@ {TSQUERY}"
    params: list = [text]
    if spec.fuzzy_with_text:
        matches = f"({matches} OR {spec.title} %%> %s)"
        params.append(text)
    recent = qs.filter(_condition(matches, params)).order_by(f"-{spec.when}", "-id")
    score = f"ts_rank({spec.vector}, {TSQUERY}) + word_similarity(%s, {spec.title})"
    ranked = (
        qs.model.objects.filter(id__in=recent.values("id")[:CANDIDATES])
        .annotate(score=RawSQL(score, [text, text], output_field=FloatField()))
        .order_by("-score", f"-{spec.when}", "-id")
        .values_list("id", flat=True)[: limit + 1]
    )
    return list(ranked)


def _hits(spec: _Kind, ids: list[int], text: str) -> list[Hit]:
    if not ids:
        return []
    model = spec.model
    annotated = model.objects.filter(id__in=ids).annotate(
        title_marked=RawSQL(
            f"ts_headline('english'::regconfig, {spec.title}, {TSQUERY}, %s)",
            [text, TITLE_OPTIONS],
        ),
        snippet_marked=RawSQL(
            f"ts_headline('english'::regconfig, {spec.body}, {TSQUERY}, %s)",
            [text, SNIPPET_OPTIONS],
        ),
    )
    if model is Ticket:
        annotated = annotated.defer("description")
    by_id = {row.id: row for row in annotated}
    return [
        spec.build(by_id[i], marked(by_id[i].title_marked), marked(by_id[i].snippet_marked))
        for i in ids
        if i in by_id
    ]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(spec: _Kind, qs: QuerySet, filters: Filters) -> QuerySet:
    if filters.status:
        qs = qs.filter(status=filters.status)
    # Whole days in the site's time zone, as bounds on the column so its index can serve them.
    if filters.since:
        qs = qs.filter(**{f"{spec.when}__gte": _day_start(filters.since)})
    if filters.until:
        qs = qs.filter(**{f"{spec.when}__lt": _day_start(filters.until + timedelta(days=1))})
    return qs


def search(*, user: User, text: str, filters: Filters, limit: int) -> list[KindResults]:
    """The best `limit` matches of each kind `user` may see (only the filtered kind if any)."""
    results = []
    for kind, label in KINDS.items():
        if filters.kind and filters.kind != kind:
            continue
        spec = SPECS[kind]
        qs = _filtered(spec, spec.rows(user), filters)
        ids = _ranked(spec, qs, text, limit)
        if len(ids) < limit and not spec.fuzzy_with_text:
            # Too few matches in a table too large for a trigram match of its titles: the same
            # search with misspelt words corrected (kb.search.spelling).
            better = spelling.corrected(text)
            if better:
                ids += [i for i in _ranked(spec, qs, better, limit) if i not in ids]
                text = f"{text} or {better}"
        hits = _hits(spec, ids[:limit], text)
        results.append(KindResults(kind=kind, label=label, hits=hits, more=len(ids) > limit))
    return results


def help_centre(*, user: User, text: str, limit: int) -> list[Article]:
    """The help centre's search: public, published articles only (whoever asks), ranked as
    the agents' search ranks them."""
    spec = SPECS[ARTICLES]
    qs = spec.rows(user).filter(selectors.PUBLIC_ARTICLE)
    ids = _ranked(spec, qs, text, limit)[:limit]
    by_id = Article.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]
