from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from helpdesk import panels

register = template.Library()


@register.simple_tag
def panel_slot(slot: str, *args) -> str:
    """One placeholder per partial registered for `slot`, loaded once the page is shown. The
    link inside is the same partial for anyone without JavaScript."""
    urls = [reverse(name, args=args) for name in panels.registered(slot)]
    return format_html_join(
        "",
        '<div class="panel-slot" hx-get="{0}" hx-trigger="load" hx-swap="outerHTML">'
        '<noscript><a href="{0}">Show</a></noscript></div>',
        ((url,) for url in urls),
    ) or format_html("")
