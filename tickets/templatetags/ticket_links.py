"""The Links section of the agent's ticket page: this ticket's own links (parent, duplicate of)
with their forms, and the tickets linked to it from the other side."""

from __future__ import annotations

from typing import Any

from django import template

from helpdesk.models import User
from tickets.links import linked_to
from tickets.models import Ticket

register = template.Library()


def panel_context(
    user: User, ticket: Ticket, *, error: str = "", error_field: str | None = None, typed: str = ""
) -> dict[str, Any]:
    """What tickets/_links.html shows. After a refused link the typed key stays in its box."""
    values = {"parent": ticket.parent_key or "", "duplicate_of": ticket.duplicate_of_key or ""}
    if error and error_field in values:
        values[error_field] = typed
    return {
        "ticket": ticket,
        "linked": linked_to(user, ticket),
        "parent_value": values["parent"],
        "duplicate_value": values["duplicate_of"],
        "link_error": error,
        "error_field": error_field if error else None,
    }


@register.inclusion_tag("tickets/_links.html", takes_context=True)
def links_panel(context, ticket):
    return {
        **panel_context(context["request"].user, ticket),
        "csrf_token": context.get("csrf_token"),
    }
