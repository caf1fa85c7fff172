"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's json module recurses once per level, so a body of a thousand nested brackets stops the
parser with RecursionError, which DRF does not expect (a 500). No request of this API nests more
than a few levels (a list of tags, a list of files), so anything deeper than MAX_DEPTH is refused
as malformed before any validation walks it.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def depth_exceeds(value, limit: int) -> bool:
    """Whether `value` (parsed JSON) nests deeper than `limit`; iterative, so any depth is safe."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise ParseError(self._too_deep())
        return data

    @staticmethod
    def _too_deep() -> str:
        return f"JSON parse error - nested more than {MAX_DEPTH} levels deep."
