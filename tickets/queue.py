"""The agent queue: filters, sorting and keyset pagination over the visible tickets.

Pages never use OFFSET and never count past HELPDESK_COUNT_CAP (DESIGN.md section 10).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q, QuerySet

from helpdesk.models import User

from .choices import OPEN_STATUSES
from .models import Ticket
from .selectors import tickets_visible_to

# sort name -> ordering columns (field, descending); `id` always breaks ties in the same direction.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "updated": (("updated_at", True),),
    "oldest_update": (("updated_at", False),),
    "newest": (("created_at", True),),
    "oldest": (("created_at", False),),
    "severity": (("severity", False), ("updated_at", True)),
}
SORT_LABELS = {
    "updated": "Recently updated",
    "oldest_update": "Least recently updated",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "severity": "Severity",
}
DEFAULT_SORT = "updated"


@dataclass(frozen=True)
class QueueQuery:
    status: tuple[str, ...] = ("open",)
    severity: tuple[int, ...] = ()
    team: str = ""
    assignee: str = ""  # "me", "none", or a username
    organization: str = ""
    category: str = ""
    tag: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT
    cursor: str = ""


@dataclass
class QueuePage:
    rows: list[Ticket]
    next_cursor: str | None
    count: int
    count_capped: bool
    first_page: bool
    query: QueueQuery = field(default_factory=QueueQuery)


def filtered(user: User, query: QueueQuery) -> QuerySet[Ticket]:
    qs = tickets_visible_to(user)
    statuses = set(query.status)
    if "open" in statuses:
        statuses = (statuses - {"open"}) | set(OPEN_STATUSES)
    if statuses and "all" not in statuses:
        qs = qs.filter(status__in=statuses)
    if query.severity:
        qs = qs.filter(severity__in=query.severity)
    if query.team == "none":
        qs = qs.filter(team__isnull=True)
    elif query.team:
        qs = qs.filter(team__slug=query.team)
    if query.assignee == "me":
        qs = qs.filter(assignee=user)
    elif query.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee:
        qs = qs.filter(assignee__username=query.assignee)
    if query.organization:
        qs = qs.filter(organization__slug=query.organization)
    if query.category:
        qs = qs.filter(category=query.category)
    if query.tag:
        qs = qs.filter(tags__contains=[query.tag.lower()])
    if query.q:
        qs = _search(qs, query.q)
    return qs


def _search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """A ticket key jumps straight to it; anything else is a full-text query."""
    text = text.strip()
    prefix = settings.HELPDESK_TICKET_PREFIX.lower()
    lowered = text.lower()
    if lowered.startswith(prefix + "-") and lowered[len(prefix) + 1 :].isdigit():
        return qs.filter(number=int(lowered[len(prefix) + 1 :]))
    if text.isdigit():
        return qs.filter(Q(number=int(text)) | Q(search_vector=SearchQuery(text, config="english")))
    return qs.filter(search_vector=SearchQuery(text, search_type="websearch", config="english"))


def _encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, columns: tuple[tuple[str, bool], ...]) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != len(columns) + 1:
        return None
    decoded = []
    try:
        for (name, _desc), value in zip(columns, values, strict=False):
            decoded.append(datetime.fromisoformat(value) if name.endswith("_at") else int(value))
        decoded.append(int(values[-1]))
    except (ValueError, TypeError):
        return None
    return decoded


def _after(columns: tuple[tuple[str, bool], ...], values: list) -> Q:
    """Rows strictly after `values` in the ordering: the keyset condition."""
    names = [name for name, _ in columns] + ["id"]
    descs = [desc for _, desc in columns] + [columns[-1][1]]
    condition = Q()
    for i, (name, desc) in enumerate(zip(names, descs, strict=True)):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for prev in range(i):
            step &= Q(**{names[prev]: values[prev]})
        condition |= step
    return condition


def page(user: User, query: QueueQuery, *, size: int | None = None) -> QueuePage:
    size = size or settings.HELPDESK_QUEUE_PAGE_SIZE
    columns = SORTS.get(query.sort, SORTS[DEFAULT_SORT])
    qs = filtered(user, query)
    base = qs
    ordering = [f"-{n}" if d else n for n, d in columns] + ["-id" if columns[-1][1] else "id"]
    values = _decode(query.cursor, columns) if query.cursor else None
    if values is not None:
        qs = qs.filter(_after(columns, values))
    rows = list(
        qs.select_related("organization", "assignee", "team", "requester")
        .defer("description", "search_vector", "recent_changes", "error_message", "workaround")
        .order_by(*ordering)[: size + 1]
    )
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([getattr(last, n) for n, _ in columns] + [last.pk])
    cap = settings.HELPDESK_COUNT_CAP
    count = base.order_by()[: cap + 1].count()
    return QueuePage(
        rows=rows, next_cursor=next_cursor, count=min(count, cap), count_capped=count > cap,
        first_page=values is None, query=query,
    )
