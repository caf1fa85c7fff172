"""What a failure report is missing (playbook: 'When to Request More Information'), and the
playbook's information-request template filled with exactly those items.

Nothing is asked of security reports, configuration errors, expected behaviour, known issues,
questions or feature requests (playbook: 'Do Not Request More Information'; DESIGN.md section 7);
the caller decides that. Members of an active incident are not asked either: the pipeline knows
the incidents and calls `info_request()` again with what remains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .facts import FREQUENCY_GIVEN, INTERMITTENT, TRANSPORT_ERROR, VAGUE, VERSION_RELATED
from .rule import Rule, matches
from .text import Text
from .types import INFO_ITEMS

ALWAYS = "Playbook, always request"
# A 5xx the customer's own server answered (to a webhook, say) has no request id of ours.
_THEIR_OWN_5XX = matches(
    r"our (endpoint|server|receiver|service) (returns|answers|responds with) 5"
)

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


@dataclass(frozen=True)
class Case:
    text: Text
    category: str
    whole_service: bool  # every request failing: no one endpoint to name


RULES = (
    Rule(
        "Ask for the timestamp",
        "a report with no time or date",
        "timestamp",
        f"{ALWAYS}: error reports without timestamp",
        lambda c: None if c.text.has_time else "no time given",
    ),
    Rule(
        "Ask for the request id",
        "a 5xx quoted without a request id",
        "request_id",
        f"{ALWAYS}: 500 errors without request ID",
        lambda c: None if c.text.request_id or _THEIR_OWN_5XX(c.text) else c.text.server_error,
    ),
    Rule(
        "Ask for the versions",
        "an upgrade or SDK blamed without a version number",
        "version",
        f"{ALWAYS}: version-related issues without version numbers",
        lambda c: None if c.text.has_version else VERSION_RELATED(c.text),
    ),
    Rule(
        "Ask for the error",
        "'doesn't work' or 'broken' with no status, message or body",
        "error_message",
        f"{ALWAYS}: 'it doesn't work' without specific error message",
        lambda c: None if c.text.shows_error else VAGUE(c.text),
    ),
    Rule(
        "Ask how often",
        "'sometimes' or 'randomly' with no rate or count",
        "frequency",
        f"{ALWAYS}: intermittent issues without frequency/pattern information",
        lambda c: None if FREQUENCY_GIVEN(c.text) else INTERMITTENT(c.text),
    ),
    Rule(
        "Ask for the endpoint",
        "an API failure naming no endpoint (not a whole-service outage, an SDK or webhook "
        "problem, or a dropped connection)",
        "endpoint",
        "Playbook resolution paths: get the specific endpoint",
        lambda c: (
            None
            if c.text.endpoints
            or c.whole_service
            or c.category == "integration"
            or TRANSPORT_ERROR(c.text)
            else "no endpoint named"
        ),
    ),
    Rule(
        "Ask for the exact request",
        "a 422 reported as wrong that quotes no body or message",
        "steps_to_reproduce",
        "Playbook, validation tickets: request exact payload",
        lambda c: (
            "422"
            if c.category == "validation"
            and c.text.has_status("422")
            and not c.text.server_error
            and not c.text.quotes_detail
            else None
        ),
    ),
)


def info_request(items: Iterable[str]) -> str:
    """The playbook's information-request template for these items, empty when there are none."""
    wanted = [item for item in INFO_ITEMS if item in set(items)]
    if not wanted:
        return ""
    lines = [f"{n}. {TEMPLATE_LINES[item]}" for n, item in enumerate(wanted, start=1)]
    return "\n\n".join([INTRO, "\n".join(lines)])


def missing(case: Case) -> list[tuple[str, str]]:
    """(item, reason) for each item the report lacks, in the playbook's order."""
    found = []
    for rule in RULES:
        evidence = rule.test(case)
        if evidence:
            found.append((rule.outcome, rule.cite(evidence)))
    return found
