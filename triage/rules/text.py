"""The ticket's text as the rules read it: normalised once, with the facts several rules share."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

STATUS_CODES = "200|201|204|301|302|307|400|401|403|404|405|409|410|413|415|422|429|500|502|503|504"
_STATUS = re.compile(rf"(?<![\w.$/-])({STATUS_CODES})(?![\w%/-]|\.\d)")
_SERVER_ERROR_WORDS = re.compile(
    r"internal server error|service unavailable|bad gateway|gateway time-?out"
)
# "POST /v1/orders", also with the host: "POST https://api.example.com/v1/orders".
METHOD_PATH = re.compile(
    r"\b(get|post|put|patch|delete)\s+(?:https?://[\w.-]+(?::\d+)?)?(/[\w/{}.:-]*[\w}])"
)
BARE_PATH = re.compile(r"(?:(?<![\w.])|(?<=https://)[\w.-]+)(/(?:v\d+|oauth)/[\w/{}.:-]*[\w}])")
REQUEST_ID = re.compile(r"\breq_[a-z0-9]+\b|x-request-id[\s:=]+[\w-]{3,}|request id\b")
_TIME = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b|\bmidnight\b|\b\d+ (minutes|hours|days) ago\b"
    r"|\bsince (yesterday|today|this (morning|afternoon|evening)|last night)\b"
    r"|\bsince (monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
)
_VERSION = re.compile(
    r"\b\d+\.\d+\.\d+\b|\bversion \d+(\.\d+)*\b|\bv\d+\.\d+\b|\bbuild \d+(\.\d+)*"
)
# A quoted message, a JSON body or an exception name: the customer showed what went wrong.
_ERROR_SHOWN = re.compile(r"\"[^\"]{3,}\"|'[^']{3,}'|\{\s*\"|\b\w+(error|exception)\b|error:")
_QUOTED = re.compile(r"\"[^\"]{3,}\"|\{\s*\"")


def normalise(text: str) -> str:
    """Lower case, unified quotes and dashes, single spaces: what every rule matches against."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-"}))
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class Text:
    """One ticket's title and description, with what the rules ask of it computed once."""

    title: str
    description: str
    tier: str = ""
    channel: str = ""

    @cached_property
    def low(self) -> str:
        return normalise(f"{self.title}\n{self.description}")

    def find(self, pattern: re.Pattern[str]) -> str | None:
        """The first matching fragment (the evidence a reason quotes), or None."""
        match = pattern.search(self.low)
        return match.group(0) if match else None

    @cached_property
    def statuses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.group(1) for m in _STATUS.finditer(self.low)))

    def has_status(self, *codes: str) -> bool:
        return any(code in self.statuses for code in codes)

    @cached_property
    def server_error(self) -> str | None:
        for code in ("500", "502", "503", "504"):
            if code in self.statuses:
                return code
        word = self.find(_SERVER_ERROR_WORDS)
        return word

    @cached_property
    def endpoints(self) -> tuple[str, ...]:
        found = [f"{m.group(1).upper()} {m.group(2)}" for m in METHOD_PATH.finditer(self.low)]
        bare = [m.group(1) for m in BARE_PATH.finditer(self.low)]
        paths = {e.split(" ", 1)[1] for e in found}
        return tuple(dict.fromkeys(found + [p for p in bare if p not in paths]))

    @cached_property
    def request_id(self) -> str | None:
        return self.find(REQUEST_ID)

    @cached_property
    def has_time(self) -> bool:
        return self.find(_TIME) is not None

    @cached_property
    def has_version(self) -> bool:
        return self.find(_VERSION) is not None

    @cached_property
    def shows_error(self) -> bool:
        return bool(self.statuses) or self.find(_ERROR_SHOWN) is not None

    @cached_property
    def quotes_detail(self) -> bool:
        return self.find(_QUOTED) is not None
