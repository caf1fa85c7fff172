"""The navigation's link to held mail, with how many wait, for those who review it."""

from __future__ import annotations

from django import template
from django.urls import reverse

from helpdesk.markup import format_html
from mail import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def held_mail_count(context) -> int | None:
    """How many messages wait for review; None for those who may not review them."""
    user = context.get("user")
    if user is None or not selectors.may_review(user):
        return None
    return selectors.held_count()


@register.simple_tag(takes_context=True)
def held_mail_link(context, count: int | None) -> str:
    if count is None:
        return ""
    current = ' aria-current="page"' if context.get("nav") == "held_mail" else ""
    badge = format_html(' <span class="nav-count" title="{} held">{}</span>', count, count)
    return format_html(
        '<a href="{}"{}>Held mail{}</a>',
        reverse("mail:held"),
        format_html(current) if current else "",
        badge if count else "",
    )
