"""Escalation models, one module per subdomain, re-exported here."""

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
    "HandoffNote",
    "OnCallFeed",
    "Override",
    "Rotation",
    "RotationLength",
    "RotationMember",
    "Schedule",
    "Shift",
]
