"""Keyset pagination shared by every list page and API list.

A cursor holds the sort values and the id of the row at a page boundary, so any page costs one
indexed range scan however deep it is: no OFFSET, no COUNT (DESIGN.md section 10). Rows inserted or
updated while someone walks the pages never show twice within one walk direction.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Model, Q, QuerySet

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


def encode(ordering: Ordering, row: Model, *, reverse: bool = False) -> str:
    values = [_value(row, name) for name, _ in ordering.all_columns()]
    payload = {
        "o": ordering.name,
        "p": [v.isoformat() if isinstance(v, datetime) else v for v in values],
        "r": reverse,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, ordering: Ordering, model: type[Model]) -> tuple[list, bool]:
    columns = ordering.all_columns()
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(payload, dict) or payload.get("o") != ordering.name:
            raise ValueError
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


def page(qs: QuerySet, *, ordering: Ordering, cursor: str | None, size: int) -> KeysetPage:
    """One page of `qs` after `cursor`; fetches size + 1 rows and nothing else.

    Raises InvalidCursor for a cursor that was not made by this ordering.
    """
    reverse = False
    if cursor:
        values, reverse = decode(cursor, ordering, qs.model)
        qs = qs.filter(beyond(ordering, values, reverse=reverse))
    rows = list(qs.order_by(*ordering.order_by(reverse=reverse))[: size + 1])
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
