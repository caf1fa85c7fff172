"""Reads of triage records: a ticket's suggestions as its viewer may see them, and the
acceptance rate per kind for the manager dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q

from tickets.models import Ticket

from .models import Decision, Kind, RunStatus, Suggestion, TriageRun

DECIDED = (Decision.ACCEPTED, Decision.OVERRIDDEN, Decision.DISMISSED)


# The order the panel shows them in: what changes who may see the ticket and how urgent it is
# first, then what may end it, then the classification.
PANEL_ORDER = (
    Kind.SECURITY,
    Kind.SEVERITY,
    Kind.ESCALATION,
    Kind.INCIDENT,
    Kind.DUPLICATE,
    Kind.KNOWN_ISSUE,
    Kind.CLOSE_AS,
    Kind.NEEDS_INFO,
    Kind.CATEGORY,
    Kind.ISSUE_TYPE,
    Kind.ENVIRONMENT,
)


def latest_done_run(ticket: Ticket) -> TriageRun | None:
    return (
        TriageRun.objects.filter(ticket=ticket, status=RunStatus.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )


def open_run(ticket: Ticket, *, after: TriageRun | None) -> TriageRun | None:
    """A run waiting (or failed) since the last completed one `after`: the panel says so."""
    runs = TriageRun.objects.filter(ticket=ticket).exclude(status=RunStatus.DONE)
    if after is not None:
        runs = runs.filter(created_at__gte=after.created_at).exclude(pk=after.pk)
    return runs.order_by("-created_at", "-id").first()


def suggestions_of(run: TriageRun | None) -> list[Suggestion]:
    """A run's suggestions in the panel's order. The caller has already passed the ticket
    through the access policy."""
    if run is None:
        return []
    rows = list(Suggestion.objects.filter(run=run).select_related("decided_by"))
    return sorted(rows, key=lambda s: (PANEL_ORDER.index(s.kind), s.pk))


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
