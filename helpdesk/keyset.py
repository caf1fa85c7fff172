"""Keyset pagination shared by every list page and API list.

A cursor holds the sort values and the id of the row at a page boundary, so any page costs one
indexed range scan however deep it is: no OFFSET, no COUNT (DESIGN.md section 10). Rows inserted or
updated while someone walks the pages never show twice within one walk direction.

Where every column is read in one direction the boundary is a row comparison,
`(sla_due_at, id) > (x, y)`, which PostgreSQL uses as the start of the index scan. The same
condition spelt out with OR (`a > x OR (a = x AND id > y)`) is only a filter: a page 20 deep
would read and throw away the 1,000 rows before it. NULLs (an ascending column sorted NULLS
LAST) never satisfy a row comparison, so when reading forward they are fetched after the range,
by a second query, only when the range runs out before the page is full.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F, Field, Func, Model, Q, QuerySet, Value

from helpdesk.errors import DomainError


@dataclass(frozen=True)
class Ordering:
    """Sort by `columns` (field, descending), ties broken by `id`. `name` is kept in the cursor so
    a cursor of one ordering is refused by another."""

    name: str
    columns: tuple[tuple[str, bool], ...]
    id_descending: bool
    # Ascending columns that may be NULL: NULLs come last in reading order.
    nullable: frozenset[str] = frozenset()

    def all_columns(self) -> list[tuple[str, bool]]:
        return [*self.columns, ("id", self.id_descending)]

    def order_by(self, *, reverse: bool = False) -> list:
        terms: list = []
        for name, desc in self.all_columns():
            if name in self.nullable:
                terms.append(
                    F(name).desc(nulls_first=True) if reverse else F(name).asc(nulls_last=True)
                )
            else:
                terms.append(f"-{name}" if desc != reverse else name)
        return terms


@dataclass(frozen=True)
class Segment:
    """One part of a segmented list: the rows `where` picks, read in `ordering`. The parts of a
    list pick disjoint rows.

    `ends_at_null` names the first sort column when the part is its non-NULL rows: reading
    forward, the first NULL (sorted last) ends the part, so the statement needs no `IS NOT NULL`.
    That condition beside a status filter makes the planner multiply two correlated
    selectivities, expect a tenth of the rows, and sort instead of reading the index."""

    key: str
    where: Q
    ordering: Ordering
    ends_at_null: str | None = None


@dataclass(frozen=True)
class Segmented:
    """A list read as parts one after another, each in its own order with its own index (the
    queue's "next SLA due": running clocks by due time, then the tickets with no running clock
    newest first). A cursor names its part, so every page starts one index scan at the cursor."""

    name: str
    segments: tuple[Segment, ...]


class InvalidCursor(DomainError):
    code = "invalid_cursor"

    def __init__(self):
        super().__init__(
            "This cursor is not valid for this list. Follow the next and previous links as given.",
            field="cursor",
        )


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    # Past the end (rows deleted since the link was made): the caller should offer the start.
    past_the_end: bool = False


def _field(model: type[Model], path: str):
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def _value(row: Model, path: str) -> Any:
    for name in path.split("__"):
        row = getattr(row, name)
    return row


def encode(
    ordering: Ordering, row: Model, *, reverse: bool = False, segment: str | None = None
) -> str:
    values = [_value(row, name) for name, _ in ordering.all_columns()]
    payload = {
        "o": ordering.name,
        "p": [v.isoformat() if isinstance(v, datetime) else v for v in values],
        "r": reverse,
    }
    if segment is not None:
        payload["s"] = segment
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _payload(token: str, name: str) -> dict:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(payload, dict) or payload.get("o") != name:
        raise InvalidCursor()
    return payload


def decode(token: str, ordering: Ordering, model: type[Model]) -> tuple[list, bool]:
    return _decode_values(_payload(token, ordering.name), ordering, model)


def _decode_values(payload: dict, ordering: Ordering, model: type[Model]) -> tuple[list, bool]:
    columns = ordering.all_columns()
    try:
        raw_values = payload["p"]
        if not isinstance(raw_values, list) or len(raw_values) != len(columns):
            raise ValueError
        if any(
            v is None and name not in ordering.nullable
            for (name, _), v in zip(columns, raw_values, strict=True)
        ):
            raise ValueError
        values = [
            None if value is None else _field(model, name).to_python(value)
            for (name, _), value in zip(columns, raw_values, strict=True)
        ]
        if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
            raise ValueError
        return values, bool(payload.get("r", False))
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError) as exc:
        raise InvalidCursor() from exc


def beyond(ordering: Ordering, values: list, *, reverse: bool = False) -> Q:
    """Rows strictly past the boundary row, in reading order (or against it when `reverse`)."""
    condition = Q()
    equal = Q()
    for (name, desc), value in zip(ordering.all_columns(), values, strict=True):
        if name in ordering.nullable:
            step, same = _beyond_nullable(name, value, reverse=reverse)
        else:
            smaller = desc != reverse
            step, same = Q(**{f"{name}__{'lt' if smaller else 'gt'}": value}), Q(**{name: value})
        condition |= equal & step
        equal &= same
    return condition


NOTHING = Q(pk__in=[])


def _beyond_nullable(name: str, value, *, reverse: bool) -> tuple[Q, Q]:
    """(rows past `value`, rows equal to it) for an ascending NULLS LAST column."""
    is_null = Q(**{f"{name}__isnull": True})
    if value is None:
        return (~is_null if reverse else NOTHING), is_null
    if reverse:
        return Q(**{f"{name}__lt": value}), Q(**{name: value})
    return Q(**{f"{name}__gt": value}) | is_null, Q(**{name: value})


class _Row(Func):
    """A row constructor, `ROW(a, b)`, for row-wise comparison."""

    function = "ROW"
    output_field = Field()


class _Compare(Func):
    """`lhs < rhs` (or `>`) as a condition for filter()."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, lhs, rhs, *, smaller: bool):
        super().__init__(lhs, rhs, arg_joiner=" < " if smaller else " > ")


def _row_range(ordering: Ordering, values: list, *, reverse: bool) -> tuple[Q, Q | None] | None:
    """(the rows past the boundary as one row comparison, the NULL rows that follow them), or None
    when the columns are read in mixed directions or the boundary is in the NULLs."""
    columns = ordering.all_columns()
    descending = {desc != reverse for _, desc in columns}
    if len(descending) != 1:
        return None
    nullable = [i for i, (name, _) in enumerate(columns) if name in ordering.nullable]
    if nullable and (nullable != [0] or values[0] is None):
        return None
    names = [name for name, _ in columns]
    keys = _Row(*(F(name) for name in names))
    bound = _Row(*(Value(value) for value in values))
    after = Q(_Compare(keys, bound, smaller=descending.pop()))
    # Reading forward, NULLs come after every value; reading backwards they are behind us.
    tail = Q(**{f"{names[0]}__isnull": True}) if nullable and not reverse else None
    return after, tail


def page(
    qs: QuerySet,
    *,
    ordering: Ordering | Segmented,
    cursor: str | None,
    size: int,
    build: Callable[[Any], Any] | None = None,
) -> KeysetPage:
    """One page of `qs` after `cursor`; fetches size + 1 rows (in a second query only when the
    rows of a nullable sort column run out, see the module docstring, or when a page spans two
    segments). `build` turns each row of `qs` (a values_list, say) into the object the page
    holds; it must carry the sort columns.

    Raises InvalidCursor for a cursor that was not made by this ordering.
    """
    if isinstance(ordering, Segmented):
        return _segmented_page(qs, ordering=ordering, cursor=cursor, size=size, build=build)
    reverse = False
    tail = None
    base = qs
    if cursor:
        values, reverse = decode(cursor, ordering, qs.model)
        ranged = _row_range(ordering, values, reverse=reverse)
        if ranged is None:
            qs = qs.filter(beyond(ordering, values, reverse=reverse))
        else:
            after, tail = ranged
            qs = qs.filter(after)
    order = ordering.order_by(reverse=reverse)
    rows = list(qs.order_by(*order)[: size + 1])
    if tail is not None and len(rows) <= size:
        rows += base.filter(tail).order_by(*order)[: size + 1 - len(rows)]
    if build is not None:
        rows = [build(row) for row in rows]
    more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()
    has_next = True if reverse else more
    has_previous = more if reverse else bool(cursor)
    return KeysetPage(
        rows=rows,
        next_cursor=encode(ordering, rows[-1]) if rows and has_next else None,
        previous_cursor=encode(ordering, rows[0], reverse=True) if rows and has_previous else None,
        past_the_end=not rows and bool(cursor),
    )


def _bounded(qs: QuerySet, ordering: Ordering, values: list, *, reverse: bool) -> QuerySet:
    ranged = _row_range(ordering, values, reverse=reverse)
    if ranged is None or ranged[1] is not None:
        return qs.filter(beyond(ordering, values, reverse=reverse))
    return qs.filter(ranged[0])


def _segmented_page(
    qs: QuerySet,
    *,
    ordering: Segmented,
    cursor: str | None,
    size: int,
    build: Callable[[Any], Any] | None,
) -> KeysetPage:
    segments = ordering.segments
    start, values, reverse = 0, None, False
    if cursor:
        payload = _payload(cursor, ordering.name)
        keys = [s.key for s in segments]
        if payload.get("s") not in keys:
            raise InvalidCursor()
        start = keys.index(payload["s"])
        values, reverse = _decode_values(payload, segments[start].ordering, qs.model)
    walk = range(start, -1, -1) if reverse else range(start, len(segments))
    found: list[tuple[int, Any]] = []
    for index in walk:
        segment = segments[index]
        part = qs.filter(segment.where)
        bounded = index == start and values is not None
        if bounded:
            # A row comparison with a value is never true for a NULL: the bound excludes them.
            part = _bounded(part, segment.ordering, values, reverse=reverse)
        elif reverse and segment.ends_at_null:
            # Backwards, NULLs would come first: only here are they filtered out.
            part = part.filter(**{f"{segment.ends_at_null}__isnull": False})
        part = part.order_by(*segment.ordering.order_by(reverse=reverse))
        rows = list(part[: size + 1 - len(found)])
        if build is not None:
            rows = [build(row) for row in rows]
        if column := segment.ends_at_null:
            rows = list(takewhile(lambda r, c=column: _value(r, c) is not None, rows))
        found += [(index, row) for row in rows]
        if len(found) > size:
            break
    more = len(found) > size
    found = found[:size]
    if reverse:
        found.reverse()
    has_next = True if reverse else more
    has_previous = more if reverse else bool(cursor)

    def at(index: int, row, *, back: bool) -> str:
        segment = segments[index]
        return encode(segment.ordering, row, reverse=back, segment=segment.key)

    return KeysetPage(
        rows=[row for _, row in found],
        next_cursor=at(*found[-1], back=False) if found and has_next else None,
        previous_cursor=at(*found[0], back=True) if found and has_previous else None,
        past_the_end=not found and bool(cursor),
    )
