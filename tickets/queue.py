"""The agent queue: filters, sorting and keyset pagination over the visible tickets.

Pages never use OFFSET and never count past HELPDESK_COUNT_CAP (DESIGN.md section 10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Q, QuerySet, Subquery, Value, When

from helpdesk import clock, keyset
from helpdesk.keyset import Ordering, Segment, Segmented
from helpdesk.models import User

from . import queue_row
from .choices import OPEN_STATUSES, Severity
from .models import Organization, Team, Ticket
from .queue_row import QueueRow
from .selectors import tagged, tickets_visible_to
from .sla.clocks import PAUSED_STATUSES

# "Next SLA due": running clocks first, the one due soonest on top. A ticket with no running
# clock (paused, resolved, closed, or under no policy) has nothing due: those follow, newest
# first, so an any-status list shows what is due and then what came in last. Each part reads an
# index in its order (the open ones by due time, the rest by creation); see docs/decisions.md.
_BY_DUE_TIME = Ordering("sla", (("sla_due_at", False),), id_descending=False)
# Clocks run only on open tickets; saying so lets a list of every status read the open-ticket
# indexes. A list already filtered to open statuses must not say it twice: the planner
# multiplies the two selectivities, expects 49 rows where 67,676 match, and sorts them all.
# The part ends at the first ticket with no due time (sorted last) rather than filtering them
# out, for the same reason.
DUE = Segment("due", Q(status__in=OPEN_STATUSES), _BY_DUE_TIME, ends_at_null="sla_due_at")
DUE_WITHIN_OPEN = Segment("due", Q(), _BY_DUE_TIME, ends_at_null="sla_due_at")
NO_CLOCK = Segment(
    "rest", Q(sla_due_at__isnull=True), Ordering("sla", (("created_at", True),), id_descending=True)
)
SLA_ORDER = Segmented("sla", (DUE, NO_CLOCK))
# Clocks run only in these statuses (waiting on the customer and resolved pause them, closing
# stops them): a list of other statuses has no running clock to read.
RUNNING_STATUSES = frozenset(OPEN_STATUSES) - PAUSED_STATUSES

# Severity: P1 first, within a severity the most recently updated first. Read as one part per
# severity, so each page is `severity = s` and one row comparison on (updated_at, id): the
# start of a scan on any index led by severity, status, or another filter's column. One
# statement over mixed directions (severity up, time down) can only filter past the cursor,
# and within one customer or one agent the planner fetched every ticket and sorted them.
SEVERITY_ORDER = Segmented(
    "severity",
    tuple(
        Segment(
            f"p{level}",
            Q(severity=level),
            Ordering("severity", (("updated_at", True),), id_descending=True),
        )
        for level in Severity.values
    ),
)

# The orderings of the queue and the API list; `id` breaks ties.
SORTS: dict[str, Ordering | Segmented] = {
    o.name: o
    for o in (
        SLA_ORDER,
        Ordering("-updated_at", (("updated_at", True),), id_descending=True),
        Ordering("updated_at", (("updated_at", False),), id_descending=False),
        Ordering("-created_at", (("created_at", True),), id_descending=True),
        Ordering("created_at", (("created_at", False),), id_descending=False),
        SEVERITY_ORDER,
    )
}
SORT_LABELS = {
    "sla": "Next SLA due",
    "-updated_at": "Recently updated",
    "updated_at": "Least recently updated",
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "severity": "Severity",
}
DEFAULT_SORT = "sla"
# Organizations the queue's picker offers for what was typed.
ORGANIZATION_OPTIONS = 20
SLA_FILTERS = {
    "breached": "Breached",
    "soon": "Breaching within 1 hour",
    "paused": "SLA paused",
}


@dataclass(frozen=True)
class QueueQuery:
    status: tuple[str, ...] = ("open",)
    severity: tuple[int, ...] = ()
    team: str = ""
    assignee: str = ""  # "me", "none", or a username
    organization: str = ""
    category: str = ""
    tag: str = ""
    security: bool = False  # only tickets flagged as security reports
    q: str = ""
    sla: str = ""  # one of SLA_FILTERS
    sort: str = DEFAULT_SORT
    cursor: str = ""

    @classmethod
    def from_cleaned(cls, data: dict, *, default_status: str = "open") -> QueueQuery:
        """From validated input (the queue's form or the API's serializer)."""
        return cls(
            status=tuple(data.get("status") or ()) or (default_status,),
            severity=tuple(data.get("severity") or ()),
            team=data.get("team") or "",
            assignee=data.get("assignee") or "",
            organization=data.get("organization") or "",
            category=data.get("category") or "",
            tag=(data.get("tag") or "").strip().lower(),
            security=bool(data.get("security")),
            q=(data.get("q") or "").strip(),
            sla=data.get("sla") or "",
            sort=data.get("sort") or DEFAULT_SORT,
            cursor=data.get("cursor") or "",
        )


@dataclass
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    previous_cursor: str | None
    count: int
    count_capped: bool
    first_page: bool
    query: QueueQuery = field(default_factory=QueueQuery)


def filtered(user: User, query: QueueQuery) -> QuerySet[Ticket]:
    qs = tickets_visible_to(user)
    statuses = statuses_of(query)
    if statuses is not None and not _said_by_the_clock(query, statuses):
        qs = qs.filter(status__in=sorted(statuses))
    if query.severity:
        qs = qs.filter(severity__in=query.severity)
    if query.team == "none":
        qs = qs.filter(team__isnull=True)
    elif query.team:
        qs = qs.filter(team_id=_id_of(Team.objects.filter(slug=query.team)))
    if query.assignee == "me":
        qs = qs.filter(assignee=user)
    elif query.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee:
        qs = qs.filter(assignee_id=_id_of(User.objects.filter(username=query.assignee)))
    if query.organization:
        qs = qs.filter(organization_id=_organization_id(query.organization))
    if query.category:
        qs = qs.filter(category=query.category)
    if query.tag:
        qs = tagged(qs, user=user, tag=query.tag.lower())
    if query.security:
        qs = qs.filter(is_security=True)
    if query.q:
        qs = _search(qs, query.q)
    if query.sla:
        qs = _sla_filter(qs, query.sla, now=clock.now())
    return qs


def _id_of(qs: QuerySet) -> Subquery:
    """A slug or username resolved inside the statement, before the scan: the planner then reads
    `organization_id = $1` straight off an index kept in queue order (section 10), where a join
    on the slug would fetch every ticket of the organization and sort them."""
    return Subquery(qs.order_by().values("pk")[:1])


def _organization_id(typed: str) -> Subquery:
    """An organization by slug or by name (any case); the slug wins when both match."""
    matches = Organization.objects.filter(Q(slug=typed) | Q(name__iexact=typed))
    return Subquery(
        matches.order_by(Case(When(slug=typed, then=Value(0)), default=Value(1)), "id").values(
            "pk"
        )[:1]
    )


def organization_options(typed: str) -> list[tuple[str, str]]:
    """(name, slug) of the first organizations whose name or slug holds `typed`, for the
    queue's organization picker: a bounded query however many customers there are."""
    typed = typed.strip()
    matches = Organization.objects.order_by("name")
    if typed:
        matches = matches.filter(Q(name__icontains=typed) | Q(slug__icontains=typed))
    return list(matches.values_list("name", "slug")[:ORGANIZATION_OPTIONS])


def _said_by_the_clock(query: QueueQuery, statuses: frozenset[str]) -> bool:
    """Whether "breached" or "soon" already says the status filter: a due time runs only in
    RUNNING_STATUSES, so a list holding all of them keeps every ticket with one. Saying it twice
    makes the planner multiply the two selectivities (a tenth of the rows it reads), and it then
    sorts the whole breached window from the status-led index rather than reading 50 rows of
    ticket_clock_due in order. Other orders, and a list within one agent, team or customer,
    keep the status: their indexes are the open tickets'."""
    return (
        query.sla in ("breached", "soon")
        and SORTS.get(query.sort, SORTS[DEFAULT_SORT]) is SLA_ORDER
        and statuses >= RUNNING_STATUSES
        and not (query.assignee or query.team or query.organization)
    )


def _sla_filter(qs: QuerySet[Ticket], name: str, *, now) -> QuerySet[Ticket]:
    """Running clocks only: `sla_due_at` is set on open tickets whose clock runs."""
    if name == "breached":
        return qs.filter(sla_due_at__lte=now)
    if name == "soon":
        return qs.filter(sla_due_at__gt=now, sla_due_at__lte=now + timedelta(hours=1))
    if name == "paused":
        return qs.filter(sla_paused=True)
    return qs


def key_number(text: str) -> int | None:
    """The number of a ticket key ("SUP-1241", any case), or None when `text` is not one."""
    lowered = text.strip().lower()
    prefix = settings.HELPDESK_TICKET_PREFIX.lower() + "-"
    digits = lowered[len(prefix) :]
    # At most 18 digits: a longer number is no ticket's (and past PostgreSQL's bigint).
    if lowered.startswith(prefix) and digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(digits)
    return None


def _search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """A ticket key finds that ticket; anything else is a full-text query."""
    text = text.strip()
    number = key_number(text)
    if number is not None:
        return qs.filter(number=number)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return qs.filter(Q(number=int(text)) | Q(search_vector=SearchQuery(text, config="english")))
    return qs.filter(search_vector=SearchQuery(text, search_type="websearch", config="english"))


def statuses_of(query: QueueQuery) -> frozenset[str] | None:
    """The statuses a query lists; None for every status. A key names one ticket: the status
    filter never hides it."""
    if key_number(query.q) is not None:
        return None
    statuses = set(query.status)
    if "all" in statuses or not statuses:
        return None
    if "open" in statuses:
        statuses = (statuses - {"open"}) | set(OPEN_STATUSES)
    return frozenset(statuses)


def ordering_for(query: QueueQuery) -> Ordering | Segmented:
    """The query's order; for "next SLA due" and severity, only the parts that can hold its rows
    (reading a part that cannot walks every row of it to find none)."""
    ordering = SORTS.get(query.sort, SORTS[DEFAULT_SORT])
    if ordering is SEVERITY_ORDER and query.severity:
        keys = {f"p{level}" for level in query.severity}
        parts = tuple(s for s in SEVERITY_ORDER.segments if s.key in keys)
        return Segmented(SEVERITY_ORDER.name, parts)
    if ordering is not SLA_ORDER:
        return ordering
    statuses = statuses_of(query)
    due = DUE_WITHIN_OPEN if statuses is not None and statuses <= set(OPEN_STATUSES) else DUE
    clocks_can_run = statuses is None or bool(statuses & RUNNING_STATUSES)
    parts = []
    if clocks_can_run and query.sla != "paused":
        parts.append(due)
    if query.sla not in ("breached", "soon"):  # those have a due time
        parts.append(NO_CLOCK)
    return Segmented(SLA_ORDER.name, tuple(parts))


def page(user: User, query: QueueQuery, *, size: int | None = None) -> QueuePage:
    """One page of the queue. A cursor that does not fit (edited, or from another sort) starts
    again from the first page rather than failing the agent's page."""
    size = size or settings.HELPDESK_QUEUE_PAGE_SIZE
    ordering = ordering_for(query)
    base = filtered(user, query)
    rows_qs = queue_row.values(base)
    paging = {"ordering": ordering, "size": size, "build": queue_row.build}
    try:
        result = keyset.page(rows_qs, cursor=query.cursor or None, **paging)
    except keyset.InvalidCursor:
        result = keyset.page(rows_qs, cursor=None, **paging)
    cap = settings.HELPDESK_SEARCH_COUNT_CAP if query.q else settings.HELPDESK_COUNT_CAP
    if result.next_cursor is None and result.previous_cursor is None:
        count = len(result.rows)  # the whole list is on this page: nothing to count
    else:
        count = base.order_by()[: cap + 1].count()
    return QueuePage(
        rows=result.rows,
        next_cursor=result.next_cursor,
        previous_cursor=result.previous_cursor,
        count=min(count, cap),
        count_capped=count > cap,
        first_page=result.previous_cursor is None,
        query=query,
    )
