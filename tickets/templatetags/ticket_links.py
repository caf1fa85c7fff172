"""The Links section of the agent's ticket page: this ticket's own links (parent, duplicate of)
with their forms, and the tickets linked to it from the other side."""

from __future__ import annotations

from django import template

from tickets.links import linked_to

register = template.Library()


@register.inclusion_tag("tickets/_links.html", takes_context=True)
def links_panel(context, ticket, form):
    return {
        "ticket": ticket,
        "f": form,
        "linked": linked_to(context["request"].user, ticket),
        "csrf_token": context.get("csrf_token"),
    }
