"""Escalation to engineering: always, discretion or no (playbook: 'When to Escalate to
Engineering'). The first rule that applies decides."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import CONSISTENT, INTERMITTENT, SILENT_FAILURE
from .rule import Rule, first_match, matches
from .text import Text

ALWAYS = "Playbook, always escalate"
DISCRETION = "Playbook, escalate with discretion"
NO = "Playbook, do not escalate"

_REPRODUCIBLE = matches(r"steps?:|reproduce|every time|each time|consistently|same request")
_SLOW = matches(r"slow|latency|sluggish")


@dataclass(frozen=True)
class Case:
    """The ticket's text and what the other dimensions decided about it."""

    text: Text
    security: bool
    severity: str
    close_as: str | None
    kind: str | None  # a non-report kind's rule name
    category: str
    vague: bool  # so little said that the information must come first

    def find(self, test) -> str | None:
        return test(self.text)


def _when(condition, evidence: str = " "):
    return lambda case: evidence if condition(case) else None


RULES = (
    Rule(
        "Always escalate: security report",
        "a ticket flagged security",
        "always",
        f"{ALWAYS}: security-related issues (auth bypass, data leakage)",
        _when(lambda c: c.security),
    ),
    Rule(
        "Always escalate: P1 or P2",
        "a P1 or P2 severity",
        "always",
        f"{ALWAYS}: any P1 or P2 ticket",
        lambda c: c.severity if c.severity in ("P1", "P2") else None,
    ),
    Rule(
        "Do not escalate: customer configuration error",
        "a close-as configuration error",
        "no",
        f"{NO}: customer configuration errors; expired or invalid API keys; malformed payloads",
        _when(lambda c: c.close_as == "config_error"),
    ),
    Rule(
        "Do not escalate: expected behavior",
        "a close-as expected behavior",
        "no",
        f"{NO}: expected behavior misunderstood as bug",
        _when(lambda c: c.close_as == "expected_behaviour"),
    ),
    Rule(
        "Do not escalate: feature request",
        "a feature request",
        "no",
        f"{NO}: feature requests (log and close or forward to product)",
        _when(lambda c: bool(c.kind) and "feature" in c.kind),
    ),
    Rule(
        "Do not escalate: client disconnect log noise",
        "disconnect warnings while requests succeed",
        "no",
        f"{NO}: client disconnect log noise",
        _when(lambda c: bool(c.kind) and "log noise" in c.kind),
    ),
    Rule(
        "Do not escalate: question or documentation",
        "a question, a documentation remark, a cosmetic issue",
        "no",
        f"{NO}: questions answerable from documentation",
        lambda c: c.kind,
    ),
    Rule(
        "Always escalate: silent failure",
        "a success answer while the change or data is lost",
        "always",
        f"{ALWAYS}: silent failures (200 returned when error should occur)",
        lambda c: c.find(SILENT_FAILURE),
    ),
    Rule(
        "Always escalate: consistent 500 errors with reproducible steps",
        "a 5xx said to happen every time, or with steps",
        "always",
        f"{ALWAYS}: consistent 500 errors with reproducible steps",
        lambda c: c.text.server_error if c.find(_REPRODUCIBLE) or c.find(CONSISTENT) else None,
    ),
    Rule(
        "Do not escalate yet: nothing to act on",
        "a report that names no error, or neither time, request nor endpoint",
        "no",
        "Playbook, common mistakes: escalating too quickly; request the information first",
        _when(lambda c: c.vague),
    ),
    Rule(
        "Escalate with discretion: intermittent",
        "sometimes, randomly, now and then",
        "discretion",
        f"{DISCRETION}: intermittent issues without clear reproduction steps",
        lambda c: c.find(INTERMITTENT),
    ),
    Rule(
        "Always escalate: performance degradation",
        "a performance report of slowness or latency",
        "always",
        f"{ALWAYS}: performance degradation detected in metrics",
        lambda c: c.find(_SLOW) if c.category == "performance" else None,
    ),
    Rule(
        "Escalate with discretion: integration or version-specific",
        "an SDK, webhook, library or connector problem",
        "discretion",
        f"{DISCRETION}: integration issues with third-party libraries; version-specific bugs",
        _when(lambda c: c.category == "integration"),
    ),
    Rule(
        "Escalate with discretion: edge case validation",
        "a validation failure",
        "discretion",
        f"{DISCRETION}: edge case validation failures (check known issues first)",
        _when(lambda c: c.category == "validation"),
    ),
    Rule(
        "Escalate with discretion: on neither list",
        "any other failure report",
        "discretion",
        f"{DISCRETION}: not on the always or never lists; an agent decides",
        _when(lambda c: True),
    ),
)


def decide(case: Case) -> tuple[str, str]:
    found = first_match(RULES, case)
    assert found is not None  # the last rule always matches
    rule, evidence = found
    return rule.outcome, rule.cite(evidence)
