"""Ticket links: the rules tickets.services checks before writing one, and the other side of
the links for the ticket page.

A ticket may have a parent (the incident it is part of) and may be a duplicate of an original.
Links never go round in a circle, whatever their length; a duplicate is the same customer's
problem reported twice, so it stays within one organization and points at the original itself,
while a parent incident may gather reports from several organizations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn

from django.db import connection
from django.db.models import Case, Count, Q, QuerySet, Value, When

from helpdesk.errors import DomainError
from helpdesk.models import User

from .choices import OPEN_STATUSES
from .models import Ticket
from .models.core import ticket_key
from .selectors import tickets_visible_to

# Chains are a handful of tickets long; the bound only stops a walk through bad data.
MAX_CHAIN = 1000


def chain_from(start_id: int, *, field: str, stop_at: int) -> list[tuple[int, int]]:
    """(id, number) of the tickets reached by following `field` from `start_id`, the start
    included, ending at `stop_at` when the chain reaches it. One recursive query."""
    column = Ticket._meta.get_field(field).column
    table = Ticket._meta.db_table
    sql = f"""
        WITH RECURSIVE chain(id, number, next_id, depth) AS (
            SELECT id, number, {column}, 1 FROM {table} WHERE id = %(start)s
            UNION ALL
            SELECT t.id, t.number, t.{column}, chain.depth + 1
            FROM {table} t JOIN chain ON t.id = chain.next_id
            WHERE chain.id <> %(stop)s AND chain.depth < %(limit)s
        )
        SELECT id, number FROM chain ORDER BY depth
    """  # noqa: S608 - table and column names come from the model, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start_id, "stop": stop_at, "limit": MAX_CHAIN})
        return list(cursor.fetchall())


def check(ticket: Ticket, field: str, target: Ticket | None) -> None:
    """Refuse a link of `ticket` to `target` through `field` ("parent" or "duplicate_of") that
    would break a rule above. `ticket` is locked by the caller; `target` is read fresh, since the
    caller's copy may be older than a link made meanwhile."""
    if target is None:
        return
    if target.pk == ticket.pk:
        raise DomainError("A ticket cannot be linked to itself.", field=field)
    # Two links written at once (X under Y, Y under X) would each pass alone: link changes
    # take turns, and each reads the chain after the one before it committed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tickets.links'))")
    parent_id, duplicate_of_id, organization_id, organization_name, original_number = (
        Ticket.objects.filter(pk=target.pk)
        .values_list(
            "parent_id",
            "duplicate_of_id",
            "organization_id",
            "organization__name",
            "duplicate_of__number",
        )
        .get()
    )
    if field == "parent" and parent_id == ticket.pk:
        raise DomainError(f"{target.key} already has this ticket as its parent.", field=field)
    if field == "duplicate_of":
        if duplicate_of_id == ticket.pk:
            raise DomainError(f"{target.key} is already a duplicate of this ticket.", field=field)
        if organization_id != ticket.organization_id:
            raise DomainError(
                f"{target.key} belongs to {organization_name} and {ticket.key} to "
                f"{ticket.organization.name}: a duplicate is the same customer reporting one "
                "problem twice. For one problem hitting several customers, link both to a "
                "parent incident.",
                field=field,
                code="duplicate_other_organization",
            )
    chain = chain_from(target.pk, field=field, stop_at=ticket.pk)
    if chain[-1][0] == ticket.pk:
        _refuse_cycle(ticket, field, target, chain)
    if field == "duplicate_of" and duplicate_of_id is not None:
        original = ticket_key(original_number)
        raise DomainError(
            f"{target.key} is itself a duplicate of {original}: "
            f"mark {ticket.key} as a duplicate of {original}.",
            field=field,
            code="duplicate_of_duplicate",
        )


def _refuse_cycle(
    ticket: Ticket, field: str, target: Ticket, chain: list[tuple[int, int]]
) -> NoReturn:
    path = " → ".join(ticket_key(number) for _, number in chain)
    if field == "parent":
        why = f"{target.key} cannot be the parent of {ticket.key}: {target.key} is already under"
    else:
        why = f"{ticket.key} cannot be a duplicate of {target.key}: {target.key} already leads to"
    raise DomainError(
        f"{why} {ticket.key} ({path}), so the links would go round in a circle.",
        field=field,
        code="link_cycle",
    )


# --- reading both sides --------------------------------------------------------------------------

# The ticket page lists this many children and duplicates of each kind; more are counted.
SHOWN = 25


@dataclass(frozen=True)
class Linked:
    """The tickets linked to one ticket from the other side, as the viewer may see them: its
    children (when it is an incident), its duplicates (when it is an original), its follow-ups
    and the tickets merged into it."""

    children: list[dict]
    children_count: int
    duplicates: list[dict]
    duplicates_count: int
    follow_ups: list[dict] = field(default_factory=list)
    follow_ups_count: int = 0
    merged_in: list[dict] = field(default_factory=list)
    merged_in_count: int = 0

    @property
    def more_children(self) -> int:
        return self.children_count - len(self.children)

    @property
    def more_duplicates(self) -> int:
        return self.duplicates_count - len(self.duplicates)

    @property
    def open_children(self) -> int:
        """Open children among those listed (open ones come first)."""
        return sum(1 for row in self.children if row["status"] in OPEN_STATUSES)


# The link columns pointing at the ticket whose other side is read, by the name of the list.
_SIDES = {
    "children": "parent_id",
    "duplicates": "duplicate_of_id",
    "follow_ups": "follow_up_of_id",
    "merged_in": "merged_into_id",
}


def _rows(qs: QuerySet[Ticket], side: str) -> QuerySet:
    # Open tickets first: on an incident they are the ones still waiting for news.
    return (
        qs.annotate(
            closed_first=Case(When(status__in=OPEN_STATUSES, then=0), default=1),
            side=Value(side),
        )
        .order_by("closed_first", "number")
        .values("side", "number", "title", "status", "severity", "organization__name")[:SHOWN]
    )


def linked_to(user: User, ticket: Ticket) -> Linked:
    """At most two queries whatever the number of links: the counts of each side, then one page
    of each side that has any (read together). Tickets the viewer may not see are neither listed
    nor counted."""
    visible = tickets_visible_to(user)
    sides = {name: Q(**{column: ticket.pk}) for name, column in _SIDES.items()}
    either = Q()
    for condition in sides.values():
        either |= condition
    counts = visible.filter(either).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in sides.items()}
    )
    pages = [_rows(visible.filter(sides[name]), name) for name in sides if counts[name]]
    listed: dict[str, list[dict]] = {name: [] for name in sides}
    if pages:
        rows = pages[0].union(*pages[1:], all=True) if len(pages) > 1 else pages[0]
        for row in rows:
            listed[row["side"]].append({**row, "key": ticket_key(row["number"])})
    for name in listed:  # a union keeps no order: each side is put back in its own
        listed[name].sort(key=lambda r: (r["status"] not in OPEN_STATUSES, r["number"]))
    return Linked(
        **{name: listed[name] for name in sides},
        **{f"{name}_count": counts[name] for name in sides},
    )
