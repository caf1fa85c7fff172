"""Reads of postmortems, all through the ticket access policy: a postmortem is visible to the
support side when its ticket is (security tickets stay restricted); customers never see one."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from helpdesk.models import User
from tickets.selectors import tickets_visible_to

from .models import ActionItem, ActionStatus, Postmortem, State


def postmortems_visible_to(user: User) -> QuerySet[Postmortem]:
    if not user.is_authenticated or not user.is_agent_side:
        return Postmortem.objects.none()
    return Postmortem.objects.filter(ticket__in=tickets_visible_to(user).values("pk"))


def postmortem_get_for_user(user: User, pk: int, *, for_update: bool = False) -> Postmortem:
    qs = postmortems_visible_to(user).select_related(
        "ticket__organization", "ticket__team", "ticket__assignee", "owner", "reviewer"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def overdue(qs: QuerySet[Postmortem], now: datetime) -> QuerySet[Postmortem]:
    """Drafts past their draft due date and reviews past their review due date."""
    return qs.filter(state=State.DRAFT, draft_due_at__lt=now) | qs.filter(
        state=State.IN_REVIEW, review_due_at__lt=now
    )


def actions_visible_to(user: User) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(postmortem__in=postmortems_visible_to(user).values("pk"))


def overdue_actions(user: User, now: datetime) -> QuerySet[ActionItem]:
    return (
        actions_visible_to(user)
        .filter(status=ActionStatus.OPEN, due_at__lt=now)
        .select_related("owner", "postmortem__ticket__team")
        .order_by("postmortem__ticket__team__name", "due_at", "id")
    )
