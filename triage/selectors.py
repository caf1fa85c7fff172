"""Reads of triage records: a ticket's suggestions as its viewer may see them, and the
acceptance rate per kind for the manager dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet

from tickets.models import Ticket

from .models import Decision, Kind, Suggestion, TriageRun

DECIDED = (Decision.ACCEPTED, Decision.OVERRIDDEN, Decision.DISMISSED)


def suggestions_of(ticket: Ticket) -> QuerySet[Suggestion]:
    """The ticket's latest suggestions: the undecided ones and those decided, newest run first.
    The caller has already passed the ticket through the access policy."""
    latest = TriageRun.objects.filter(ticket=ticket, status="done").order_by("-created_at", "-id")
    run = latest.values("pk")[:1]
    return (
        Suggestion.objects.filter(ticket=ticket, run_id__in=run)
        .select_related("decided_by")
        .order_by("id")
    )


def latest_run(ticket: Ticket) -> TriageRun | None:
    return TriageRun.objects.filter(ticket=ticket).order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class KindRate:
    kind: str
    label: str
    accepted: int
    overridden: int
    dismissed: int

    @property
    def decided(self) -> int:
        return self.accepted + self.overridden + self.dismissed

    @property
    def rate(self) -> float:
        return self.accepted / self.decided if self.decided else 0.0


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def acceptance_rates(
    *,
    start: date | None = None,
    end: date | None = None,
    team: int | None = None,
    severity: int | None = None,
    organization: int | None = None,
    tier: str = "",
    channel: str = "",
) -> list[KindRate]:
    """Decisions taken from `start` to `end` (whole UTC days, inclusive; None is unbounded)
    per suggestion kind, for tickets matching the dashboard's filters. Kinds nobody decided on
    are left out."""
    qs = Suggestion.objects.filter(decision__in=DECIDED)
    if start is not None:
        qs = qs.filter(decided_at__gte=_start(start))
    if end is not None:
        qs = qs.filter(decided_at__lt=_start(end + timedelta(days=1)))
    filters = {
        "ticket__team_id": team,
        "ticket__severity": severity,
        "ticket__organization_id": organization,
        "ticket__organization__tier": tier or None,
        "ticket__channel": channel or None,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v is not None})
    counts = qs.values("kind").annotate(
        accepted=Count("id", filter=Q(decision=Decision.ACCEPTED)),
        overridden=Count("id", filter=Q(decision=Decision.OVERRIDDEN)),
        dismissed=Count("id", filter=Q(decision=Decision.DISMISSED)),
    )
    by_kind = {row["kind"]: row for row in counts}
    return [
        KindRate(
            kind=kind.value,
            label=kind.label,
            accepted=by_kind[kind]["accepted"],
            overridden=by_kind[kind]["overridden"],
            dismissed=by_kind[kind]["dismissed"],
        )
        for kind in Kind
        if kind in by_kind
    ]
