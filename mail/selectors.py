"""Reads of the inbound mail, and who may review it."""

from __future__ import annotations

from django.db.models import QuerySet

from helpdesk.models import Role, User

from .models import InboundMessage, Status

REVIEWER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
# The list's columns: never the raw message, which may weigh megabytes.
LIST_FIELDS = ("id", "received_at", "from_address", "from_name", "subject", "reason", "source")


def may_review(user: User) -> bool:
    """Held mail can hold anyone's words to anyone: managers and admins review it."""
    return bool(user.is_authenticated and user.is_active and user.role in REVIEWER_ROLES)


def held() -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(status=Status.HELD).only(*LIST_FIELDS)


def held_count() -> int:
    return InboundMessage.objects.filter(status=Status.HELD).count()
