"""The error signature of a report: what two reports of one fault share, normalised so that ids,
numbers and quoting do not tell them apart (DESIGN.md section 7: signatures are the features of
duplicate and incident matching)."""

from __future__ import annotations

import re

from .text import METHOD_PATH, Text
from .types import ErrorSignature

_MESSAGE = (
    # A JSON error field: {"detail": "..."}, {"error": "..."}, "msg": "..."
    re.compile(r"\"(?:detail|error|message|msg|code)\"\s*:\s*\"([^\"]{3,160})\""),
    # An exception's name (TypeError: ..., decimal.InvalidOperation), never the bare word "error"
    # of a status line such as "500 Internal Server Error".
    re.compile(r"\b([\w.]+(?:error|exception)\b(?::[^.\n]{0,120})?|[\w.]*invalidoperation\b)"),
    # A quoted message right after a status code: 500 "carrier lookup failed"
    re.compile(r"\b[45]\d\d\b[^\"]{0,40}\"([^\"]{3,160})\""),
    # The status line's own words: 504 Gateway Timeout
    re.compile(
        r"\b[45]\d\d (internal server error|service unavailable|bad gateway|gateway time-?out"
        r"|unauthorized|forbidden|not found|unprocessable entity|too many requests"
        r"|unsupported media type|conflict)"
    ),
)
_ID_SEGMENT = re.compile(r"^(\{[^}]*\}|\d+|[0-9a-f-]{8,}|[a-z]+_[0-9a-z]+|.*\d.*)$")
_API_VERSION = re.compile(r"^v\d+$")
_STATUS_FIRST = re.compile(r"(?<![\w.$/-])([45]\d\d)(?![\w.%/-])")
_REQUEST_ID = re.compile(r"\breq_[a-z0-9]+\b")
_NUMBERS = re.compile(r"\d+(\.\d+)*")


def normalise_message(message: str) -> str:
    message = message.strip().strip("\"'").lower()
    message = _NUMBERS.sub("#", message)
    return re.sub(r"\s+", " ", message)[:200]


def normalise_endpoint(method: str, path: str) -> str:
    """'POST /v1/users/123?x=1' and 'POST /v1/users/{id}' are one endpoint."""
    path = path.split("?", 1)[0].rstrip("/.:") or "/"
    segments = [
        "{id}" if s and _ID_SEGMENT.match(s) and not _API_VERSION.match(s) else s
        for s in path.split("/")
    ]
    return f"{method.upper()} {'/'.join(segments)}".strip()


def extract(text: Text) -> ErrorSignature:
    low = text.low
    message = ""
    for pattern in _MESSAGE:
        match = pattern.search(low)
        if match:
            message = normalise_message(match.group(1))
            break
    endpoint = ""
    match = METHOD_PATH.search(low)
    if match:
        endpoint = normalise_endpoint(match.group(1), match.group(2))
    elif text.endpoints:
        endpoint = normalise_endpoint("", text.endpoints[0])
    status = _STATUS_FIRST.search(low)
    request_id = _REQUEST_ID.search(low)
    return ErrorSignature(
        message=message,
        endpoint=endpoint,
        status_code=status.group(1) if status else "",
        request_id=request_id.group(0) if request_id else "",
    )
