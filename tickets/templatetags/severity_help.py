"""`{% severity_help %}`: the playbook's severity criteria beside a severity picker."""

from __future__ import annotations

from django import template

from tickets.severity import CRITERIA

register = template.Library()


@register.inclusion_tag("tickets/_severity_help.html")
def severity_help(open: bool = False) -> dict:
    return {"criteria": CRITERIA, "open": open}
