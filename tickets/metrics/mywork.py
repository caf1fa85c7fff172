"""An agent's own view: their open tickets by SLA state now, and their first response and
resolution times this week (from the SLA log and the timeline)."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from helpdesk import clock
from helpdesk.access import agent_side_required
from helpdesk.dashboard_panel import Chart, Figure, Link, duration_text, render_panel

from ..choices import OPEN_STATUSES
from ..models import SlaEvent, SlaEventKind, SlaKind, TicketEvent
from ..selectors import tickets_visible_to

SOON = timedelta(hours=1)


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of this week."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def sla_states(user, now: datetime) -> list[tuple[str, int, str]]:
    """(label, count, queue filter) of the user's open tickets."""
    counts = (
        tickets_visible_to(user)
        .filter(assignee=user, status__in=OPEN_STATUSES)
        .aggregate(
            breached=Count("pk", filter=Q(sla_breached_at__isnull=False)),
            soon=Count(
                "pk",
                filter=Q(sla_breached_at__isnull=True, sla_due_at__lte=now + SOON),
            ),
            running=Count("pk", filter=Q(sla_breached_at__isnull=True, sla_due_at__gt=now + SOON)),
            paused=Count("pk", filter=Q(sla_breached_at__isnull=True, sla_due_at__isnull=True)),
        )
    )
    return [
        ("Breached", counts["breached"], "breached"),
        ("Due within 1 hour", counts["soon"], "soon"),
        ("On track", counts["running"], ""),
        ("Paused or no clock", counts["paused"], "paused"),
    ]


def first_response_minutes(user, since: datetime) -> list[float]:
    """Minutes from creation to first response, for the tickets whose first public reply by
    the support side was the user's and came after `since`."""
    first_reply_actor = (
        TicketEvent.objects.filter(ticket=OuterRef("ticket"), kind="reply")
        .exclude(actor__role="customer")
        .order_by("created_at", "id")
        .values("actor")[:1]
    )
    rows = (
        SlaEvent.objects.filter(
            kind=SlaEventKind.FULFILLED, target_kind=SlaKind.FIRST_RESPONSE, at__gte=since
        )
        .annotate(responder=Subquery(first_reply_actor))
        .filter(responder=user.pk)
        .values_list("at", "ticket__created_at")
    )
    return [(at - created).total_seconds() / 60 for at, created in rows]


def resolve_minutes(user, since: datetime) -> list[float]:
    rows = TicketEvent.objects.filter(
        kind="status", created_at__gte=since, actor=user, after="resolved"
    ).values_list("created_at", "ticket__created_at")
    return [(at - created).total_seconds() / 60 for at, created in rows]


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


@agent_side_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    since = week_start(now)
    states = sla_states(request.user, now)
    queue = reverse("queue")
    rows: list[list[object]] = [
        [label, Link(str(count), f"{queue}?{urlencode({'assignee': 'me', 'sla': sla})}")]
        for label, count, sla in states
    ]
    responses = first_response_minutes(request.user, since)
    resolutions = resolve_minutes(request.user, since)
    for label, values in (("First responses", responses), ("Resolutions", resolutions)):
        median = statistics.median(values) if values else None
        p90 = _p90(values)
        rows.append([f"{label} this week", len(values), duration_text(median), duration_text(p90)])
    for row in rows[: len(states)]:
        row.extend(["", ""])
    open_counts = [count for _, count, _ in states]
    chart = None
    if any(open_counts):
        chart = Chart("bar", [label for label, _, _ in states], unit="tickets")
        chart.add("Open tickets", open_counts)
    return render_panel(
        request,
        title="My open tickets and times",
        columns=["", "Tickets", "Median", "p90"],
        rows=rows,
        figures=[
            Figure("Open, SLA breached", str(states[0][1])),
            Figure(
                "First response this week (median)",
                duration_text(statistics.median(responses) if responses else None),
            ),
            Figure(
                "Time to resolve this week (median)",
                duration_text(statistics.median(resolutions) if resolutions else None),
            ),
        ],
        chart=chart,
        note=f"This week began {since:%a %d %b} 00:00 UTC.",
    )
