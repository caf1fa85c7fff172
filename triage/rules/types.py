"""What triage's rules produce: one Analysis per ticket text, each outcome with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("P1", "P2", "P3", "P4")
CATEGORIES = (
    "authentication",
    "validation",
    "integration",
    "performance",
    "documentation",
    "feature_request",
    "other",
)
ISSUE_TYPES = ("bug", "question", "incident", "configuration")
ENVIRONMENTS = ("production", "staging", "development", "unknown")
# The playbook's information items, in the order they are asked for.
INFO_ITEMS = (
    "timestamp",
    "request_id",
    "version",
    "error_message",
    "frequency",
    "endpoint",
    "environment",
    "steps_to_reproduce",
)
CLOSE_AS = ("config_error", "expected_behaviour")
ESCALATE = ("always", "discretion", "no")


@dataclass(frozen=True)
class ErrorSignature:
    """The features two reports of one fault share; empty strings when the text has none."""

    message: str = ""
    endpoint: str = ""
    status_code: str = ""
    request_id: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.message or self.endpoint or self.status_code)


@dataclass(frozen=True)
class Analysis:
    severity: str = "P3"
    category: str = "other"
    issue_type: str = "question"
    environment: str = "unknown"
    security: bool = False
    needs_info: tuple[str, ...] = ()
    close_as: str | None = None
    escalate: str = "no"
    signature: ErrorSignature = field(default_factory=ErrorSignature)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    info_request: str = ""
    reply_template: str = ""
