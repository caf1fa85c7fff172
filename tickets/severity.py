"""The playbook's severity criteria (seed 003), shown wherever a severity is chosen: agents
opening or editing a ticket and customers on the portal pick from the same definitions."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import Severity


@dataclass(frozen=True)
class SeverityCriteria:
    severity: Severity
    definition: str
    criteria: tuple[str, ...]
    examples: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"P{self.severity.value}"


CRITERIA = (
    SeverityCriteria(
        Severity.P1,
        "Complete service outage or security breach affecting production.",
        (
            "All API requests failing for a customer",
            "Authentication system completely non-functional",
            "Data breach or security vulnerability actively exploited",
            "Financial transactions failing in production",
        ),
        (
            "All our API calls return 500 since 10:00 UTC",
            "We're seeing unauthorized access to customer data",
            "Payment processing is down",
        ),
    ),
    SeverityCriteria(
        Severity.P2,
        "Major functionality impaired but a workaround exists, or a significant portion of "
        "customers affected.",
        (
            "Specific endpoint failing consistently",
            "Performance degradation over 50% from baseline",
            "Multiple customers reporting the same issue within 1 hour",
            "Authentication failures for a subset of valid credentials",
        ),
        (
            "POST /users returns 500 for payloads with special characters",
            "API latency is 3x normal",
            "Our staging API key works but production key returns 403",
        ),
    ),
    SeverityCriteria(
        Severity.P3,
        "Functionality impaired but core operations are not blocked.",
        (
            "Non-critical endpoint issue",
            "Documentation unclear or incorrect",
            "Edge case validation failures",
            "Performance issue not affecting the majority of requests",
        ),
        (
            "OpenAPI docs page shows 500 error",
            "Pagination returns inconsistent results for large offsets",
            "Our SDK is getting 422 on valid-looking requests",
        ),
    ),
    SeverityCriteria(
        Severity.P4,
        "Minor issue with an easy workaround, feature requests, general questions.",
        (
            "Feature request",
            "General usage question",
            "Documentation improvement suggestion",
            "Cosmetic issues",
        ),
        (
            "Can you add support for X in the API?",
            "How do I implement pagination correctly?",
            "The error message could be clearer",
        ),
    ),
)
