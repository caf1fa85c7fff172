"""The agent's timeline of one ticket, read as plain values.

A ticket with 50 comments is 51 events, each with its comment, the comment's author and the
event's actor: 200 model instances through the ORM, which took more time to build than the
query took to run. The entries are read with `values_list` into this slotted dataclass; a
comment's files come from the ticket's attachments, fetched once for the page's sidebar too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.models import STAFF_ROLES, User, display_name

from .choices import EventKind
from .models import Attachment, Ticket
from .selectors import events_visible_to

# Attachment events that belong to a comment are shown inside the comment itself.
_SHOWN_IN_THE_COMMENT = {EventKind.ATTACHMENT}

COLUMNS = (
    "id",
    "kind",
    "field",
    "before",
    "after",
    "created_at",
    "actor__username",
    "actor__first_name",
    "actor__last_name",
    "comment_id",
    "comment__is_internal",
    "comment__body_html",
    "comment__author__username",
    "comment__author__first_name",
    "comment__author__last_name",
    "comment__author__role",
)


def _name(username: str | None, first: str | None, last: str | None) -> str | None:
    """The person's display name; None for nobody (a deleted user, the system)."""
    return None if username is None else display_name(username, first, last)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    id: int
    kind: str
    field: str
    before: Any
    after: Any
    created_at: datetime
    actor_name: str | None
    comment_id: int | None
    comment_is_internal: bool
    body_html: str
    author_name: str | None
    author_is_customer: bool
    files: tuple[Attachment, ...] = ()


def timeline(user: User, ticket: Ticket, attachments: list[Attachment]) -> list[TimelineEntry]:
    """The events the user may see, oldest first; comments carry their files."""
    files: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        if attachment.comment_id:
            files.setdefault(attachment.comment_id, []).append(attachment)
    entries = []
    for row in events_visible_to(user, ticket).values_list(*COLUMNS):
        (pk, kind, field, before, after, created_at, actor_username, actor_first, actor_last,
         comment_id, comment_internal, body_html, author_username, author_first, author_last,
         author_role) = row  # fmt: skip
        if comment_id and kind in _SHOWN_IN_THE_COMMENT:
            continue
        entries.append(
            TimelineEntry(
                id=pk,
                kind=kind,
                field=field,
                before=before,
                after=after,
                created_at=created_at,
                actor_name=_name(actor_username, actor_first, actor_last),
                comment_id=comment_id,
                comment_is_internal=bool(comment_internal),
                body_html=body_html or "",
                author_name=_name(author_username, author_first, author_last),
                author_is_customer=author_role is not None and author_role not in STAFF_ROLES,
                files=tuple(files.get(comment_id, ())) if comment_id else (),
            )
        )
    return entries
