"""A rule an agent can read: what it looks for, what it suggests, the playbook line behind it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# Most rules read the Text; escalation and needs-info rules read a case holding it with what
# the other dimensions decided.
Test = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class Rule:
    name: str  # "Playbook P1: authentication fully down"
    looks_for: str  # in plain words, for the rules page and the reasons
    outcome: str  # the value suggested when it matches
    source: str  # the playbook (seed 003) or DESIGN.md line it applies
    test: Test  # the evidence (a fragment of the text) when it matches, else None

    def reason(self, evidence: str) -> str:
        """The rule's name and the words that triggered it."""
        return _quoted(self.name, evidence)

    def cite(self, evidence: str) -> str:
        """The playbook line the rule applies and the words that triggered it."""
        return _quoted(self.source, evidence)


def _quoted(label: str, evidence: str) -> str:
    evidence = evidence.strip()
    if not evidence:
        return label
    if len(evidence) > 80:
        evidence = evidence[:77] + "..."
    return f"{label} ('{evidence}')"


def pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def matches(regex: str) -> Test:
    """The rule's test: the text contains this pattern."""
    compiled = re.compile(regex)
    return lambda text: text.find(compiled)


def all_of(*tests: Test) -> Test:
    """Every test matches; the evidence is the first one's."""

    def test(text: Any) -> str | None:
        found = [t(text) for t in tests]
        return found[0] if all(found) else None

    return test


def any_of(*tests: Test) -> Test:
    """The first test that matches gives the evidence."""

    def test(text: Any) -> str | None:
        for t in tests:
            found = t(text)
            if found:
                return found
        return None

    return test


def none_of(*tests: Test) -> Test:
    """Matches (with empty evidence) when no test matches; combine inside all_of."""
    return lambda text: None if any(t(text) for t in tests) else " "


def first_match(rules: Iterable[Rule], text: Any) -> tuple[Rule, str] | None:
    for rule in rules:
        evidence = rule.test(text)
        if evidence:
            return rule, evidence
    return None
