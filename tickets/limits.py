"""Sizes the product accepts for free text, and how much one page of a list may weigh.

A reply or a description is prose, pasted logs at most: 64 KiB of characters is ten times the
longest reply the support team writes and leaves room for a stack trace. Longer logs travel as
attachments, which have their own limit (settings.HELPDESK_ATTACHMENT_MAX_BYTES). Pages, the API
and the services all read these constants, so a form, the schema and the refusal say the same.
"""

from __future__ import annotations

from helpdesk.errors import DomainError

# Characters of a comment body (reply or internal note) and of a ticket's long text fields.
MAX_COMMENT_CHARS = 65_536
MAX_DESCRIPTION_CHARS = 65_536
# The other long text fields of a ticket (workaround, error message, recent changes).
MAX_TICKET_TEXT_CHARS = 65_536
TICKET_TEXT_LIMITS = {
    "description": MAX_DESCRIPTION_CHARS,
    "workaround": MAX_TICKET_TEXT_CHARS,
    "error_message": MAX_TICKET_TEXT_CHARS,
    "recent_changes": MAX_TICKET_TEXT_CHARS,
}

# Characters of text one API list page carries before it stops early (its `next` link goes on
# from the last row it holds). A page always holds at least one row.
PAGE_TEXT_BUDGET = 1_048_576


def check_length(value: str | None, *, field: str, limit: int) -> None:
    """Refuse text longer than `limit` characters, naming the field and the limit."""
    if value is not None and len(value) > limit:
        raise DomainError(
            f"This text is {len(value):,} characters long; the limit is {limit:,}. "
            "Attach long logs as a file instead.",
            field=field,
            code="too_long",
        )
