"""The on-call of the security rota sees every security ticket while on call (DESIGN.md 9).

The security rota is any schedule that an active "security only" escalation policy pages at one
of its levels: the people paged first for a security ticket must be able to open it. The
clearance follows the materialised shifts, overrides included, and ends with the shift.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from escalation.models import EscalationLevel, Shift
from helpdesk import access


def security_oncall(now: datetime) -> QuerySet:
    """The ids of the people on call at `now` on a schedule a security-only policy pages."""
    rotas = EscalationLevel.objects.filter(
        policy__is_active=True, policy__security_only=True, schedule__isnull=False
    ).values("schedule")
    return Shift.objects.filter(
        schedule__in=rotas, starts_at__lte=now, ends_at__gt=now, user__isnull=False
    ).values("user")


def ready() -> None:
    access.register_security_clearance("escalation.security_oncall", security_oncall)
