"""Reads of the inbound mail, and who may review it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from helpdesk.models import Role, User
from tickets.selectors import tickets_visible_to

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


def message_get_for_user(user: User, pk: int) -> InboundMessage:
    """A stored message for a reviewer; 404 otherwise. Mail that became a ticket or a comment
    is as private as that ticket: a reviewer who may not see it (a security report) gets 404."""
    if not may_review(user):
        raise Http404
    message = InboundMessage.objects.filter(pk=pk).first()
    if message is None:
        raise Http404
    if message.ticket_id and not tickets_visible_to(user).filter(pk=message.ticket_id).exists():
        raise Http404
    return message
