"""Keyset pagination for the API: helpdesk.keyset with next/previous links.

A page is bounded in rows (`page_size`) and, for rows that carry long text (tickets, comments,
events), in characters: it stops early once its text reaches `limits.PAGE_TEXT_BUDGET`, and its
link goes on from the last row it holds. So a page of 200 comments of 64 KiB each is a few
pages of about a megabyte, never one of 25 MB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from helpdesk import keyset
from helpdesk.keyset import InvalidCursor, Ordering, Segmented

from .limits import PAGE_TEXT_BUDGET

CURSOR_PARAM = "cursor"
# The cursors this API hands out are under 200 characters; a longer one was not made here and
# is refused before it is decoded.
MAX_CURSOR_CHARS = 512
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

__all__ = ["CURSOR_PARAM", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "Ordering", "Page", "paginate"]


@dataclass
class Page:
    rows: list
    next: str | None
    previous: str | None

    def body(self, results: Any) -> dict:
        return {"next": self.next, "previous": self.previous, "results": results}


def paginate(
    request: Request,
    qs: QuerySet,
    *,
    ordering: Ordering | Segmented,
    page_size: int,
    weigh: Callable[[Any], int] | None = None,
) -> Page:
    """One page of `qs`. `weigh` tells how many characters of text a row carries; with it the
    page also stops at PAGE_TEXT_BUDGET (always holding at least one row)."""
    cursor = request.query_params.get(CURSOR_PARAM)
    if cursor is not None and len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor()
    result = keyset.page(qs, ordering=ordering, cursor=cursor, size=page_size)
    if weigh is not None:
        # Too heavy: read a shorter page from the same cursor, so its links are made by the
        # ordering itself. Each pass asks for fewer rows, so this ends; it is rare, because a
        # page reaches the budget only when many rows carry tens of kilobytes of text.
        while len(result.rows) > 1 and sum(map(weigh, result.rows)) > PAGE_TEXT_BUDGET:
            size = min(_rows_within_budget(result.rows, weigh), len(result.rows) - 1)
            result = keyset.page(qs, ordering=ordering, cursor=cursor, size=size)
    url = request.build_absolute_uri()

    def link(cursor: str | None) -> str | None:
        return replace_query_param(url, CURSOR_PARAM, cursor) if cursor else None

    previous = link(result.previous_cursor)
    if result.past_the_end:
        previous = remove_query_param(url, CURSOR_PARAM)
    return Page(rows=result.rows, next=link(result.next_cursor), previous=previous)


def _rows_within_budget(rows: list, weigh: Callable[[Any], int]) -> int:
    """How many of `rows`, from the first, fit in the page's text budget (at least one)."""
    total = 0
    for count, row in enumerate(rows):
        total += weigh(row)
        if total > PAGE_TEXT_BUDGET and count > 0:
            return count
    return len(rows)
