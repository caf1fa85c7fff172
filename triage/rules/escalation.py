"""Escalation to engineering: always, discretion or no (playbook: 'When to Escalate to
Engineering'). The first rule that applies decides."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import CONSISTENT, INTERMITTENT, SILENT_FAILURE
from .rule import matches
from .text import Text

ALWAYS = "Playbook, always escalate"
DISCRETION = "Playbook, escalate with discretion"
NO = "Playbook, do not escalate"

_REPRODUCIBLE = matches(r"steps?:|reproduce|every time|each time|consistently|same request")


@dataclass(frozen=True)
class Facts:
    """What escalation needs from the other dimensions."""

    security: bool
    severity: str
    close_as: str | None
    kind: str | None  # a non-report kind's rule name
    category: str
    vague: bool


def decide(text: Text, facts: Facts) -> tuple[str, str]:
    if facts.security:
        return "always", f"{ALWAYS}: security-related issues (auth bypass, data leakage)"
    if facts.severity in ("P1", "P2"):
        return "always", f"{ALWAYS}: any P1 or P2 ticket ({facts.severity})"
    if facts.close_as == "config_error":
        return "no", f"{NO}: customer configuration errors"
    if facts.close_as == "expected_behaviour":
        return "no", f"{NO}: expected behavior misunderstood as bug"
    if facts.kind:
        if "feature" in facts.kind:
            return "no", f"{NO}: feature requests (log and forward to product)"
        if "log noise" in facts.kind:
            return "no", f"{NO}: client disconnect log noise"
        return "no", f"{NO}: questions answerable from documentation ({facts.kind})"
    if SILENT_FAILURE(text):
        return "always", f"{ALWAYS}: silent failures (200 returned when error should occur)"
    if text.server_error and (_REPRODUCIBLE(text) or CONSISTENT(text)):
        return "always", f"{ALWAYS}: consistent 500 errors with reproducible steps"
    if facts.vague:
        return "no", f"{NO}: nothing to act on yet; request the error first"
    if INTERMITTENT(text):
        return "discretion", f"{DISCRETION}: intermittent issues without clear reproduction steps"
    if facts.category == "performance" and matches(r"slow|latency|sluggish")(text):
        return "always", f"{ALWAYS}: performance degradation"
    if facts.category == "integration":
        return "discretion", (
            f"{DISCRETION}: integration issues with third-party libraries, version-specific bugs"
        )
    if facts.category == "validation":
        return "discretion", f"{DISCRETION}: edge case validation failures"
    return "discretion", f"{DISCRETION}: not on the always or never lists; an agent decides"
