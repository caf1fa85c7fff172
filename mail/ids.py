"""Message-IDs as mail carries them, read with nothing but string functions: the mail server's
pipe (mail.pipe) finds a message's Message-ID with these before anything else is loaded."""

from __future__ import annotations

import re

# The end of the header block, and a header's name at the start of a line.
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_FOLD = re.compile(rb"\r?\n[ \t]+")
# Real Message-IDs are short ASCII; a longer one is cut, so that it always fits the unique index
# (a B-tree entry holds about 2.7 kB) and a hostile header can never keep a message from being
# stored. Control characters (NUL above all, which PostgreSQL text refuses) are dropped.
MAX_ID_CHARS = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def raw_header(raw: bytes, name: str) -> str:
    """The first `name` header of a raw message, unfolded, as text ("" when missing)."""
    head = _BLANK_LINE.split(raw, maxsplit=1)[0]
    wanted = name.lower().encode() + b":"
    for line in _FOLD.sub(b" ", head).splitlines():
        if line.lower().startswith(wanted):
            return line[len(wanted) :].strip().decode("utf-8", "replace")
    return ""


def message_ids(value: str) -> list[str]:
    """The `<id>` tokens of In-Reply-To / References, in order; clients fold and mangle these."""
    ids, rest = [], value or ""
    while "<" in rest:
        start = rest.index("<")
        end = rest.find(">", start)
        if end == -1:
            break
        token = _CONTROL.sub("", rest[start : end + 1].strip())
        if len(token) > 2 and " " not in token:
            ids.append(token[:MAX_ID_CHARS])
        rest = rest[end + 1 :]
    return ids


def first_id(value: str) -> str | None:
    found = message_ids(value)
    if found:
        return found[0]
    value = _CONTROL.sub("", value).strip()
    return value[:MAX_ID_CHARS] or None
