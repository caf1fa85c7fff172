"""Reads of pages, under the ticket access policy: a page is visible to whoever may see its
ticket, and to everyone it paged (the on-call must be able to answer it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from escalation.models import OPEN_PAGE, Page, PageRecipient
from helpdesk.models import User
from tickets.selectors import tickets_visible_to


def pages_visible_to(user: User) -> QuerySet[Page]:
    if not user.is_authenticated or not user.is_active or not user.is_agent_side:
        return Page.objects.none()
    paged = PageRecipient.objects.filter(page=OuterRef("pk"), user=user)
    visible = tickets_visible_to(user).filter(pk=OuterRef("ticket_id"))
    return Page.objects.filter(Exists(visible) | Exists(paged))


def page_get_for_user(user: User, pk: int) -> Page:
    found = list(
        pages_visible_to(user)
        .select_related("ticket", "acknowledged_by", "resolved_by", "policy")
        .filter(pk=pk)[:1]
    )
    if not found:
        raise Http404
    return found[0]


def my_open_pages(user: User) -> QuerySet[Page]:
    """Open pages that paged this user, newest first."""
    return (
        Page.objects.filter(
            OPEN_PAGE, Exists(PageRecipient.objects.filter(page=OuterRef("pk"), user=user))
        )
        .select_related("ticket", "acknowledged_by")
        .order_by("-started_at", "-id")[:50]
    )


def my_recent_acknowledgements(user: User, now: datetime) -> list[tuple[Page, str]]:
    """The user's acknowledgements of the last 30 days, with how long each took."""
    pages = (
        Page.objects.filter(acknowledged_by=user, acknowledged_at__gte=now - timedelta(days=30))
        .select_related("ticket")
        .order_by("-acknowledged_at")[:10]
    )
    return [(p, took(p.started_at, p.acknowledged_at)) for p in pages]


def ticket_pages(user: User, ticket_id: int) -> list[Page]:
    """A ticket's pages for its side panel: open ones first, then the last few closed."""
    qs = (
        pages_visible_to(user)
        .filter(ticket_id=ticket_id)
        .select_related("acknowledged_by", "resolved_by", "policy")
        .prefetch_related("recipients__user")
    )
    return sorted(
        qs.order_by("-started_at")[:5], key=lambda p: (not p.is_open, -p.started_at.timestamp())
    )


def took(start: datetime, end: datetime) -> str:
    """How long an acknowledgement took, as an on-call engineer reads it: "3 min 12 s"."""
    seconds = max(0, int((end - start).total_seconds()))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
