"""Every rule by the dimension it decides, in the order it is tried: what a rules page or an
agent reads to see what triage looks for and where each rule comes from."""

from __future__ import annotations

from . import category, close_as, escalation, kind, needs_info, security, severity
from .rule import Rule

RULEBOOK: dict[str, tuple[Rule, ...]] = {
    "security": security.RULES,
    "close_as": (*close_as.EXPECTED_RULES, *close_as.CONFIG_RULES),
    "kind": tuple(rule for rule, _ in kind.RULES),
    "severity": severity.RULES,
    "category": category.RULES,
    "needs_info": needs_info.RULES,
    "escalate": escalation.RULES,
}
