"""The manager dashboard's triage panel: how often agents accept each kind of suggestion
(the panel contract is in docs/decisions.md, Dashboard)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from helpdesk.dashboard_panel import Chart, Figure, manager_required, percent_text, render_panel
from tickets.dashboard_filters import BadFilter, parse

from .selectors import acceptance_rates


@manager_required
@require_GET
def acceptance_panel(request: HttpRequest) -> HttpResponse:
    try:
        filters = parse(request.GET)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    rates = acceptance_rates(
        start=filters.start,
        end=filters.end,
        team=filters.team,
        severity=filters.severity,
        organization=filters.organization,
        tier=filters.tier,
        channel=filters.channel,
    )
    decided = sum(r.decided for r in rates)
    overall = 100 * sum(r.accepted for r in rates) / decided if decided else None
    chart = Chart("bar", [r.label for r in rates], unit="%")
    chart.add("Accepted", [round(r.rate * 100, 1) for r in rates])
    return render_panel(
        request,
        title="Triage acceptance",
        columns=["Suggestion", "Accepted", "Overridden", "Dismissed", "Decided", "Acceptance"],
        rows=[
            [r.label, r.accepted, r.overridden, r.dismissed, r.decided, percent_text(r.rate * 100)]
            for r in rates
        ],
        figures=[
            Figure("Accepted as suggested", percent_text(overall)),
            Figure("Suggestions decided", str(decided)),
        ],
        chart=chart,
        note="Suggestions agents accepted, overrode or dismissed in the range, per kind.",
    )
