"""The new words of a reply apart from the quoted history and the signature beneath them.

Both are kept: the comment shows them folded under the reply, so nothing the customer sent is
lost, and the raw message stays stored besides.
"""

from __future__ import annotations

import re
from html import escape

from mailparser_reply.parser import EmailMessage

from .markers import REPLY_MARKER

# The languages of the "On <date>, <name> wrote:" lines and signatures recognised.
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "sv", "pl", "ja"]
FORWARD_MARKERS = re.compile(
    r"^(-{2,}\s*(Forwarded message|Original Message|Weitergeleitete Nachricht)\s*-{2,}|"
    r"Begin forwarded message:)",
    re.IGNORECASE | re.MULTILINE,
)
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|wg|tr)\s*:", re.IGNORECASE)
FOLDED_SUMMARY = "Earlier messages and signature"


def split(text: str, *, subject: str = "") -> tuple[str, str]:
    """(the new words, what is folded under them). A forwarded message is all content: what
    the customer forwards is what they want us to read, so nothing of it is folded."""
    text = text.strip()
    marker = text.find(REPLY_MARKER)
    if marker != -1:
        # Our own mail quoted under the answer: everything from the marker's line is history.
        line_start = text.rfind("\n", 0, marker) + 1
        reply, folded = split(text[:line_start], subject=subject)
        return reply, f"{folded}\n\n{text[line_start:]}".strip()
    if not text or FORWARD_SUBJECT.match(subject) or FORWARD_MARKERS.search(text):
        return text, ""
    try:
        # Hyphen lists are content (Markdown bullets), not the "-- " of a signature.
        replies = (
            EmailMessage(text=text, languages=LANGUAGES, keep_hyphen_lists=True).read().replies
        )
    except Exception:  # noqa: BLE001 - a splitter failure costs the folding, never the text
        return text, ""
    reply = replies[0].body.strip() if replies else ""
    if not reply or not text.startswith(reply):
        return text, ""
    return reply, text[len(reply) :].strip()


def with_folded(reply: str, folded: str) -> str:
    """The comment's Markdown: the reply, then the folded part as a closed <details> block of
    escaped preformatted text (Markdown leaves raw HTML blocks alone; the sanitiser keeps it)."""
    if not folded:
        return reply
    return (
        f"{reply}\n\n<details><summary>{FOLDED_SUMMARY}</summary>\n"
        f"<pre>{escape(folded, quote=False)}</pre>\n</details>"
    )
