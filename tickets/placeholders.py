"""Unfilled blanks of reply templates, such as `[Key finding 1]` or `[link]`.

Reply templates leave bracketed blanks for the agent to fill in. A reply that still holds one
would reach the customer as a visible gap, so such a reply is refused (and the composer warns
before sending). Only the blanks that the active templates contain count: a bracket an agent
writes on purpose (a pasted log line, `[ERROR]`, a Markdown link) is never taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .models import ReplyTemplate

# A bracketed phrase that is not a Markdown link (`[text](url)`, `[text][ref]`, `[ref]: url`).
_BLANK = re.compile(r"\[([^\[\]\n]{1,120})\](?![(\[:])")
# Code is quoted as it is: a blank inside backticks is an example, not a gap.
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
# Task-list boxes are Markdown too.
_NOT_BLANKS = frozenset({" ", "x", "X"})


def blanks(text: str) -> list[str]:
    """The bracketed blanks of `text` outside code, each once, in order (`[link]` form)."""
    found: list[str] = []
    for match in _BLANK.finditer(_CODE.sub(" ", text or "")):
        if match.group(1) in _NOT_BLANKS:
            continue
        blank = match.group(0)
        if blank not in found:
            found.append(blank)
    return found


def template_blanks(templates: Iterable[ReplyTemplate] | None = None) -> list[str]:
    """Every blank of the given (by default the active) reply templates."""
    if templates is None:
        templates = ReplyTemplate.objects.filter(is_active=True).only("body")
    found: list[str] = []
    for template in templates:
        found.extend(b for b in blanks(template.body) if b not in found)
    return found


def unfilled(body: str, known: Iterable[str] | None = None) -> list[str]:
    """The template blanks still present in `body`."""
    known = set(template_blanks() if known is None else known)
    return [blank for blank in blanks(body) if blank in known]
