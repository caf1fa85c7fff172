"""The playbook's triage rules as pure functions of a ticket's text and context.

`analyse()` reads no database and is deterministic: the same text gives the same Analysis. What
needs the database (duplicates, incidents, known issues) is matched by triage's pipeline, which
starts from this Analysis.
"""

from __future__ import annotations

from .types import Analysis, ErrorSignature

RULES_VERSION = "rules-0"

__all__ = ["RULES_VERSION", "Analysis", "ErrorSignature", "analyse"]


def analyse(*, title: str, description: str, tier: str = "", channel: str = "") -> Analysis:
    """Every rule-based suggestion for one ticket, each dimension with the reasons behind it."""
    return Analysis()
