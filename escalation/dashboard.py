"""On-call and engineering panels of the manager dashboard: how fast pages are acknowledged,
and how many engineering escalations engineering rejects (the contract in docs/decisions.md)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.http import require_GET

from helpdesk import dashboard, panels
from helpdesk.dashboard_panel import (
    Chart,
    Figure,
    Percentile,
    duration_text,
    manager_required,
    minutes_between,
    percent,
    percent_text,
    render_panel,
)
from tickets.dashboard_filters import BadFilter, DashboardFilters, parse

from .models import EngineeringEscalation, EscalationState, Page

DAILY_UP_TO = timedelta(days=62)


def _period(filters: DashboardFilters, field: str):
    if filters.start and filters.end and filters.end - filters.start <= DAILY_UP_TO:
        return TruncDay(field), "%Y-%m-%d"
    return TruncMonth(field), "%b %Y"


def _filters(request: HttpRequest) -> DashboardFilters | HttpResponse:
    try:
        return parse(request.GET)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))


@manager_required
@require_GET
def page_acks(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    if isinstance(filters, HttpResponse):
        return filters
    period, fmt = _period(filters, "started_at")
    pages = Page.objects.filter(filters.tickets("ticket__"), filters.between("started_at"))
    acked = Q(acknowledged_at__isnull=False)
    minutes = minutes_between("started_at", "acknowledged_at")
    by_period = list(
        pages.annotate(group=period)
        .values("group")
        .annotate(
            pages=Count("pk"),
            acked=Count("pk", filter=acked),
            p50=Percentile(minutes, 0.5, filter=acked),
            p90=Percentile(minutes, 0.9, filter=acked),
        )
        .order_by("group")
    )
    total = pages.aggregate(
        p50=Percentile(minutes, 0.5, filter=acked), p90=Percentile(minutes, 0.9, filter=acked)
    )
    labels = [r["group"].strftime(fmt) for r in by_period]
    chart = Chart("line", labels, unit="min")
    chart.add("p50", [_round(r["p50"]) for r in by_period])
    chart.add("p90", [_round(r["p90"]) for r in by_period])
    rows = [
        [label, r["pages"], r["acked"], duration_text(r["p50"]), duration_text(r["p90"])]
        for label, r in zip(labels, by_period, strict=True)
    ]
    return render_panel(
        request,
        title="Time to acknowledge pages",
        columns=["Period", "Pages", "Acknowledged", "p50", "p90"],
        rows=rows,
        figures=[
            Figure("p50", duration_text(total["p50"])),
            Figure("p90", duration_text(total["p90"])),
        ],
        chart=chart,
        note="From the page's start to its acknowledgement, filed on the day it started.",
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@manager_required
@require_GET
def engineering_rejected(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    if isinstance(filters, HttpResponse):
        return filters
    period, fmt = _period(filters, "decided_at")
    decided = EngineeringEscalation.objects.filter(
        filters.tickets("ticket__"),
        filters.between("decided_at"),
        state__in=[EscalationState.ACCEPTED, EscalationState.REJECTED],
        decided_at__isnull=False,
    )
    rejected = Q(state=EscalationState.REJECTED)
    by_period = list(
        decided.annotate(group=period)
        .values("group")
        .annotate(decided=Count("pk"), rejected=Count("pk", filter=rejected))
        .order_by("group")
    )
    labels = [r["group"].strftime(fmt) for r in by_period]
    chart = Chart("bar", labels, unit="escalations")
    chart.add("Accepted", [r["decided"] - r["rejected"] for r in by_period])
    chart.add("Rejected", [r["rejected"] for r in by_period])
    rows = [
        [label, r["decided"], r["rejected"], percent_text(percent(r["rejected"], r["decided"]))]
        for label, r in zip(labels, by_period, strict=True)
    ]
    all_decided = sum(r["decided"] for r in by_period)
    all_rejected = sum(r["rejected"] for r in by_period)
    return render_panel(
        request,
        title="Engineering escalations rejected",
        columns=["Period", "Decided", "Rejected", "Rejected share"],
        rows=rows,
        figures=[
            Figure("Rejected", str(all_rejected)),
            Figure("Rejected share", percent_text(percent(all_rejected, all_decided))),
        ],
        chart=chart,
        note="Bug reports engineering accepted or rejected, filed on the day of the decision.",
    )


urlpatterns = [
    path("acknowledgements/", page_acks, name="escalation_dashboard_acks"),
    path("engineering-rejected/", engineering_rejected, name="escalation_dashboard_rejected"),
]


def ready() -> None:
    panels.register(dashboard.SLOT, "escalation_dashboard_acks", title="Time to acknowledge pages")
    panels.register(
        dashboard.SLOT, "escalation_dashboard_rejected", title="Engineering escalations rejected"
    )
