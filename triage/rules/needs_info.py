"""What a failure report is missing (playbook: 'When to Request More Information'), and the
playbook's information-request template filled with exactly those items.

Nothing is asked of security reports, configuration errors, expected behaviour, known issues,
questions or feature requests (playbook: 'Do Not Request More Information'; DESIGN.md section 7);
the caller decides that. Members of an active incident are not asked either: the pipeline knows
the incidents and calls `info_request()` again with what remains.
"""

from __future__ import annotations

from collections.abc import Iterable

from .facts import FREQUENCY_GIVEN, INTERMITTENT, TRANSPORT_ERROR, VAGUE, VERSION_RELATED
from .text import Text
from .types import INFO_ITEMS

SOURCE = "Playbook, always request"

# The template's numbered lines, one per item the playbook names.
TEMPLATE_LINES = {
    "timestamp": "**Timestamp**: Exact date/time of the error (with timezone)",
    "request_id": "**Request ID**: From the `X-Request-Id` response header if available",
    "version": "**Versions**: SDK, language and any relevant library versions",
    "error_message": "**Error Response**: Complete error response body",
    "frequency": "**Reproducibility**: Is this consistent or intermittent? How often does it "
    "happen?",
    "endpoint": "**Request Details**: Endpoint, method, and sanitized request body",
    "environment": "**Environment**: Production, staging or development",
    "steps_to_reproduce": "**Steps to reproduce**: The exact request that fails (sanitized "
    "payload), so we can run it ourselves",
}
INTRO = "Thank you for reporting this issue. To investigate further, we need:"


def info_request(items: Iterable[str]) -> str:
    """The playbook's information-request template for these items, empty when there are none."""
    wanted = [item for item in INFO_ITEMS if item in set(items)]
    if not wanted:
        return ""
    lines = [f"{n}. {TEMPLATE_LINES[item]}" for n, item in enumerate(wanted, start=1)]
    return "\n\n".join([INTRO, "\n".join(lines)])


def missing(text: Text, *, category: str, whole_service: bool) -> list[tuple[str, str]]:
    """(item, reason) for each item the report lacks, in the playbook's order."""
    found: list[tuple[str, str]] = []
    if not text.has_time:
        found.append(("timestamp", f"{SOURCE}: error reports without timestamp"))
    if text.server_error and not text.request_id:
        found.append(
            ("request_id", f"{SOURCE}: 500 errors without request ID ('{text.server_error}')")
        )
    related = VERSION_RELATED(text)
    if related and not text.has_version:
        found.append(
            ("version", f"{SOURCE}: version-related issues without version numbers ('{related}')")
        )
    vague = VAGUE(text)
    if vague and not text.shows_error:
        found.append(
            (
                "error_message",
                f"{SOURCE}: 'it doesn't work' without specific error message ('{vague}')",
            )
        )
    intermittent = INTERMITTENT(text)
    if intermittent and not FREQUENCY_GIVEN(text):
        found.append(
            (
                "frequency",
                f"{SOURCE}: intermittent issues without frequency/pattern ('{intermittent}')",
            )
        )
    # Which endpoint matters for API answers; a whole-service outage, an SDK or webhook problem
    # or a dropped connection is not about one endpoint.
    if (
        not text.endpoints
        and not whole_service
        and category != "integration"
        and not TRANSPORT_ERROR(text)
    ):
        found.append(
            ("endpoint", "Playbook resolution path: get the specific endpoint (none named)")
        )
    if category == "validation" and text.has_status("422") and not text.quotes_detail:
        found.append(
            (
                "steps_to_reproduce",
                "Playbook, validation tickets: request the exact payload (none shown)",
            )
        )
    return found
