"""Reads of escalations, under the ticket access policy, and the playbook's escalation metrics
(seed 003: escalation rate; escalations rejected by engineering, under 10%) for dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from escalation.models import EngineeringEscalation, EscalationState, TierEscalation
from helpdesk.models import User
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to


def escalations_visible_to(user: User) -> QuerySet[EngineeringEscalation]:
    """Agent-side people see the escalations of the tickets they may see; customers none."""
    if not user.is_authenticated or not user.is_active or not user.is_agent_side:
        return EngineeringEscalation.objects.none()
    visible = tickets_visible_to(user).filter(pk=OuterRef("ticket_id"))
    return EngineeringEscalation.objects.filter(Exists(visible)).select_related(
        "ticket__organization", "sent_by", "decided_by"
    )


def escalation_get_for_user(user: User, pk: int) -> EngineeringEscalation:
    found = list(escalations_visible_to(user).filter(pk=pk)[:1])
    if not found:
        raise Http404
    return found[0]


def ticket_escalations(user: User, ticket_id: int) -> list[EngineeringEscalation]:
    return list(escalations_visible_to(user).filter(ticket_id=ticket_id)[:5])


def ticket_tier_escalations(ticket_id: int) -> list[TierEscalation]:
    return list(
        TierEscalation.objects.filter(ticket_id=ticket_id).select_related("actor", "to_assignee")[
            :5
        ]
    )


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def rate(self) -> float | None:
        """count / of, or None when there is nothing to divide by."""
        return self.count / self.of if self.of else None


def escalation_rate(start: datetime, end: datetime) -> Share:
    """Of the tickets opened in [start, end), how many were escalated (a tier up, or to
    engineering), at any time since."""
    tier = TierEscalation.objects.filter(ticket_id=OuterRef("pk"))
    engineering = EngineeringEscalation.objects.filter(ticket_id=OuterRef("pk"))
    opened = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    escalated = opened.filter(Exists(tier) | Exists(engineering))
    return Share(count=escalated.count(), of=opened.count())


def engineering_rejected_share(start: datetime, end: datetime) -> Share:
    """Of the engineering escalations decided in [start, end), how many were rejected. The
    playbook's quality bar is under 10%."""
    decided = EngineeringEscalation.objects.filter(
        decided_at__gte=start,
        decided_at__lt=end,
        state__in=[EscalationState.ACCEPTED, EscalationState.REJECTED],
    )
    return Share(count=decided.filter(state=EscalationState.REJECTED).count(), of=decided.count())
