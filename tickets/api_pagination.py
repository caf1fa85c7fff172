"""Keyset pagination for the API.

A cursor holds the sort key and the id of the row at the page boundary, so a page costs one indexed
range scan however deep it is: no OFFSET, no COUNT (DESIGN.md section 10). Rows inserted or
updated while a client walks the pages never make it see a row twice within one walk direction.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from helpdesk.errors import DomainError

CURSOR_PARAM = "cursor"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Ordering:
    """Sort by `field`, ties broken by `id`. `name` is what the cursor remembers."""

    name: str
    field: str
    descending: bool
    id_descending: bool

    def columns(self) -> list[tuple[str, bool]]:
        return [(self.field, self.descending), ("id", self.id_descending)]

    def order_by(self, *, reverse: bool = False) -> list[str]:
        return [f"-{name}" if desc != reverse else name for name, desc in self.columns()]


@dataclass
class Page:
    rows: list
    next: str | None
    previous: str | None

    def body(self, results: Any) -> dict:
        return {"next": self.next, "previous": self.previous, "results": results}


def invalid_cursor() -> DomainError:
    return DomainError(
        "This cursor is not valid for this list. Follow the `next` and `previous` links as given.",
        code="invalid_cursor",
        field=CURSOR_PARAM,
    )


def _field(model: type[Model], path: str):
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def _value(row: Model, path: str) -> Any:
    for name in path.split("__"):
        row = getattr(row, name)
    return row


def _encode(ordering: Ordering, row: Model, *, reverse: bool) -> str:
    values = [_value(row, name) for name, _ in ordering.columns()]
    payload = {
        "o": ordering.name,
        "p": [v.isoformat() if isinstance(v, datetime) else v for v in values],
        "r": reverse,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, ordering: Ordering, model: type[Model]) -> tuple[list, bool]:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(payload, dict) or payload.get("o") != ordering.name:
            raise ValueError
        raw_values = payload["p"]
        if not isinstance(raw_values, list) or len(raw_values) != 2 or None in raw_values:
            raise ValueError
        values = [
            _field(model, name).to_python(value)
            for (name, _), value in zip(ordering.columns(), raw_values, strict=True)
        ]
        if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
            raise ValueError
        return values, bool(payload.get("r", False))
    except (ValueError, TypeError, KeyError, binascii.Error, ValidationError) as exc:
        raise invalid_cursor() from exc


def _beyond(ordering: Ordering, values: list, *, reverse: bool) -> Q:
    """Rows strictly past the boundary row, in reading order (or against it when `reverse`)."""
    condition = Q()
    equal = Q()
    for (name, desc), value in zip(ordering.columns(), values, strict=True):
        smaller = desc != reverse
        condition |= equal & Q(**{f"{name}__{'lt' if smaller else 'gt'}": value})
        equal &= Q(**{name: value})
    return condition


def paginate(request: Request, qs: QuerySet, *, ordering: Ordering, page_size: int) -> Page:
    """One page of `qs` after the request's cursor; fetches page_size + 1 rows and nothing else."""
    token = request.query_params.get(CURSOR_PARAM)
    reverse = False
    if token:
        values, reverse = _decode(token, ordering, qs.model)
        qs = qs.filter(_beyond(ordering, values, reverse=reverse))
    rows = list(qs.order_by(*ordering.order_by(reverse=reverse))[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if reverse:
        rows.reverse()
    has_next = True if reverse else more
    has_previous = more if reverse else bool(token)

    url = request.build_absolute_uri()

    def link(row: Model, *, backwards: bool) -> str:
        return replace_query_param(url, CURSOR_PARAM, _encode(ordering, row, reverse=backwards))

    next_url = link(rows[-1], backwards=False) if rows and has_next else None
    previous_url = None
    if rows and has_previous:
        previous_url = link(rows[0], backwards=True)
    elif not rows and token:
        # Past the end (rows deleted since the link was made): point back to the start.
        previous_url = remove_query_param(url, CURSOR_PARAM)
    return Page(rows=rows, next=next_url, previous=previous_url)
