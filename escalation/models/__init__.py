"""Escalation models, one module per subdomain, re-exported here."""

from escalation.models.pages import (
    OPEN_PAGE,
    EscalationLevel,
    EscalationPolicy,
    Page,
    PageAction,
    PageReason,
    PageRecipient,
    PageState,
    PageToken,
)
from escalation.models.schedules import (
    HandoffNote,
    OnCallFeed,
    Override,
    Rotation,
    RotationLength,
    RotationMember,
    Schedule,
    Shift,
)

__all__ = [
    "OPEN_PAGE",
    "EscalationLevel",
    "EscalationPolicy",
    "Page",
    "PageAction",
    "PageReason",
    "PageRecipient",
    "PageState",
    "PageToken",
    "HandoffNote",
    "OnCallFeed",
    "Override",
    "Rotation",
    "RotationLength",
    "RotationMember",
    "Schedule",
    "Shift",
]
