"""Keyset pagination for the API: helpdesk.keyset with next/previous links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from helpdesk import keyset
from helpdesk.keyset import Ordering

CURSOR_PARAM = "cursor"
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


def paginate(request: Request, qs: QuerySet, *, ordering: Ordering, page_size: int) -> Page:
    result = keyset.page(
        qs, ordering=ordering, cursor=request.query_params.get(CURSOR_PARAM), size=page_size
    )
    url = request.build_absolute_uri()

    def link(cursor: str | None) -> str | None:
        return replace_query_param(url, CURSOR_PARAM, cursor) if cursor else None

    previous = link(result.previous_cursor)
    if result.past_the_end:
        previous = remove_query_param(url, CURSOR_PARAM)
    return Page(rows=result.rows, next=link(result.next_cursor), previous=previous)
