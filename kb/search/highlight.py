"""Highlighted snippets: PostgreSQL's ts_headline marks the matched words with two control
characters no one types; the text is escaped first and only then are the marks made <mark>, so a
snippet never carries markup of the document's own."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START = "\x02"
STOP = "\x03"
SNIPPET_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=3, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_OPTIONS = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"


def marked(text: str | None) -> SafeString:
    text = escape(text or "")
    if text.count(START) != text.count(STOP):
        # The document itself held a marker character: show it plain rather than unbalanced.
        return mark_safe(text.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308
