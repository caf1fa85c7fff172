"""The ticket core's dashboard panels: each reads the rollups for the dashboard's range and
filters (tickets.metrics.read) and answers through helpdesk.dashboard_panel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode

from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from helpdesk import clock
from helpdesk.dashboard_panel import (
    Chart,
    Figure,
    Link,
    manager_required,
    percent,
    percent_text,
    render_panel,
)
from tickets.dashboard_filters import BadFilter, DashboardFilters, parse

from ..choices import Category, Severity
from ..models import Organization, Team
from . import buckets
from .read import AGES, Scope, histogram_of, histogram_sums, sums, sums_by

TARGETS = (
    ("first_response", "First response"),
    ("update", "Customer update"),
    ("resolution", "Resolution"),
)
AGE_LABELS = dict(
    zip(AGES, ("< 1 day", "1–3 days", "3–7 days", "7–30 days", "> 30 days"), strict=True)
)


def _label(period: date, scope: Scope) -> str:
    return period.strftime("%b %Y") if scope.monthly else period.isoformat()


def queue_link(filters: DashboardFilters, **extra: str) -> str:
    """The queue showing the tickets behind a figure, with the queue's own filters."""
    params: list[tuple[str, str]] = [("status", "all")]
    if filters.severity:
        params.append(("severity", str(filters.severity)))
    if filters.team:
        slug = Team.objects.filter(pk=filters.team).values_list("slug", flat=True).first()
        if slug:
            params.append(("team", slug))
    if filters.organization:
        slug = (
            Organization.objects.filter(pk=filters.organization)
            .values_list("slug", flat=True)
            .first()
        )
        if slug:
            params.append(("organization", slug))
    params.extend(extra.items())
    return f"{reverse('queue')}?{urlencode(params)}"


def sla_attainment(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    scope = Scope.of(filters)
    names = [f"{kind}_{outcome}" for kind, _ in TARGETS for outcome in ("met", "breached")]
    total = sums(scope.flows(), *names)
    by_period = sums_by(scope.flows(), scope.period(), *names)
    rows, figures = [], []
    for kind, label in TARGETS:
        met, breached = total[f"{kind}_met"], total[f"{kind}_breached"]
        rate = percent(met, met + breached)
        figures.append(Figure(f"{label} met", percent_text(rate)))
        rows.append(
            [
                label,
                met,
                Link(str(breached), queue_link(filters, sla="breached")),
                percent_text(rate),
            ]
        )
    chart = Chart("line", [_label(r["group"], scope) for r in by_period], unit="%")
    for kind, label in TARGETS:
        chart.add(
            label,
            [
                percent(r[f"{kind}_met"], r[f"{kind}_met"] + r[f"{kind}_breached"])
                for r in by_period
            ],
        )
    decided = sum(total.values())
    return render_panel(
        request,
        title="SLA attainment",
        columns=["Target", "Met", "Breached", "Attainment"],
        rows=rows if decided else [],
        figures=figures,
        chart=chart,
        note="Each target period counts once, on the day it was met or breached.",
    )


def _percentiles(histogram: list[int]) -> tuple[str, str]:
    return (
        buckets.label(buckets.percentile(histogram, 0.5)),
        buckets.label(buckets.percentile(histogram, 0.9)),
    )


def first_response(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    scope = Scope.of(filters)
    hist = histogram_sums("first_response_minutes")
    by_period = list(
        scope.flows()
        .annotate(group=scope.period())
        .values("group")
        .annotate(**hist)
        .order_by("group")
    )
    total = [sum(r[f"h{i}"] for r in by_period) for i in range(buckets.SIZE)]
    p50, p90 = _percentiles(total)
    chart = Chart("line", [_label(r["group"], scope) for r in by_period], unit="h")
    histograms = [histogram_of(r) for r in by_period]
    chart.add("p50", [_hours(buckets.percentile(h, 0.5)) for h in histograms])
    chart.add("p90", [_hours(buckets.percentile(h, 0.9)) for h in histograms])
    rows = [
        [_label(r["group"], scope), sum(h), *_percentiles(h)]
        for r, h in zip(by_period, histograms, strict=True)
        if sum(h)
    ]
    return render_panel(
        request,
        title="First response time",
        columns=["Period", "First responses", "p50", "p90"],
        rows=rows,
        figures=[Figure("p50", p50), Figure("p90", p90)],
        chart=chart,
        note="From creation to the first public reply; durations in buckets, so "
        "“≤ 1 h” means within the hour.",
    )


def resolution_time(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    scope = Scope.of(filters)
    by_severity = list(
        scope.flows()
        .values("severity")
        .annotate(**histogram_sums("resolve_minutes"))
        .order_by("severity")
    )
    rows, labels, p50s, p90s = [], [], [], []
    for r in by_severity:
        h = histogram_of(r)
        if not sum(h):
            continue
        code = Severity(r["severity"]).code
        labels.append(code)
        p50s.append(_hours(buckets.percentile(h, 0.5)))
        p90s.append(_hours(buckets.percentile(h, 0.9)))
        rows.append([code, sum(h), *_percentiles(h)])
    chart = Chart("bar", labels, unit="h").add("p50", p50s).add("p90", p90s)
    return render_panel(
        request,
        title="Time to resolve by severity",
        columns=["Severity", "Resolved", "p50", "p90"],
        rows=rows,
        chart=chart,
        note="From creation to the first resolution (calendar time), filed on that day.",
    )


def _hours(minutes: int | None) -> float | None:
    return None if minutes is None or minutes < 0 else round(minutes / 60, 2)


def _rate_panel(
    request: HttpRequest,
    filters: DashboardFilters,
    *,
    title: str,
    part: str,
    whole: str,
    part_label: str,
    whole_label: str,
    note: str,
) -> HttpResponse:
    scope = Scope.of(filters)
    by_period = [r for r in sums_by(scope.flows(), scope.period(), part, whole) if r[whole]]
    total_part = sum(r[part] for r in by_period)
    total_whole = sum(r[whole] for r in by_period)
    labels = [_label(r["group"], scope) for r in by_period]
    chart = Chart("line", labels, unit="%").add(
        title, [percent(r[part], r[whole]) for r in by_period]
    )
    rows = [
        [label, r[part], r[whole], percent_text(percent(r[part], r[whole]))]
        for label, r in zip(labels, by_period, strict=True)
    ]
    return render_panel(
        request,
        title=title,
        columns=["Period", part_label, whole_label, "Rate"],
        rows=rows,
        figures=[Figure(title, percent_text(percent(total_part, total_whole)))],
        chart=chart,
        note=note,
    )


def first_contact(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    return _rate_panel(
        request,
        filters,
        title="First-contact resolution",
        part="first_contact_resolutions",
        whole="first_resolutions",
        part_label="At first contact",
        whole_label="Resolved",
        note="Resolved with at most one public reply and no escalation, the first time.",
    )


def escalation_rate(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    return _rate_panel(
        request,
        filters,
        title="Escalation rate",
        part="escalated",
        whole="created",
        part_label="Escalated",
        whole_label="Created",
        note="Tickets escalated (tier or engineering) for the first time, per ticket created.",
    )


def reopen_rate(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    return _rate_panel(
        request,
        filters,
        title="Reopened within 7 days",
        part="reopened",
        whole="resolved",
        part_label="Reopened",
        whole_label="Resolved",
        note="Reopens within 7 days of a resolution, per resolution (the playbook aims under 5 %).",
    )


def backlog(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    scope = Scope.of(filters)
    by_day = scope.backlog_by_day(today=clock.now().date())
    labels = [_label(r["group"], scope) for r in by_day]
    chart = Chart("line", labels, unit="tickets")
    for age in AGES:
        chart.add(AGE_LABELS[age], [r[age] for r in by_day])
    rows = [
        [label, r["total"], *(r[a] for a in AGES)] for label, r in zip(labels, by_day, strict=True)
    ]
    latest = by_day[-1] if by_day else None
    figures = [Figure("Open at the end", str(latest["total"]))] if latest else []
    if latest:
        figures.append(
            Figure("Older than 7 days", str(latest["from_7_to_30d"] + latest["over_30d"]))
        )
    return render_panel(
        request,
        title="Backlog and its age",
        columns=["Day", "Open", *AGE_LABELS.values()],
        rows=rows,
        figures=figures,
        chart=chart,
        note="Tickets open at the end of each day (of each month's last day over long ranges), "
        "by age since creation.",
    )


def volume_by_category(request: HttpRequest, filters: DashboardFilters) -> HttpResponse:
    scope = Scope.of(filters)
    by_category = sums_by(scope.flows(), F("category"), "created")
    by_category = sorted((r for r in by_category if r["created"]), key=lambda r: -r["created"])
    labels = [Category(r["group"]).label for r in by_category]
    rows = [
        [Link(label, queue_link(filters, category=r["group"])), r["created"]]
        for label, r in zip(labels, by_category, strict=True)
    ]
    chart = Chart("bar", labels, unit="tickets").add("Created", [r["created"] for r in by_category])
    return render_panel(
        request,
        title="Volume by category",
        columns=["Category", "Created"],
        rows=rows,
        figures=[Figure("Created", str(sum(r["created"] for r in by_category)))],
        chart=chart,
    )


Builder = Callable[[HttpRequest, DashboardFilters], HttpResponse]


def panel_view(build: Builder):
    @manager_required
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        try:
            filters = parse(request.GET)
        except BadFilter as exc:
            return HttpResponseBadRequest(str(exc))
        return build(request, filters)

    view.__name__ = build.__name__
    view.__doc__ = build.__doc__
    return view


# (URL name, title, builder) in the order the dashboard shows them.
PANELS: list[tuple[str, str, Builder]] = [
    ("sla_attainment", "SLA attainment", sla_attainment),
    ("first_response", "First response time", first_response),
    ("resolution_time", "Time to resolve by severity", resolution_time),
    ("first_contact", "First-contact resolution", first_contact),
    ("escalation_rate", "Escalation rate", escalation_rate),
    ("reopen_rate", "Reopened within 7 days", reopen_rate),
    ("backlog", "Backlog and its age", backlog),
    ("volume_by_category", "Volume by category", volume_by_category),
]
