"""The knowledge base's dashboard panel: how often each known issue is hit (tickets linked to
it in the range), so managers see which fixes would save the most tickets."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from helpdesk import dashboard, panels
from helpdesk.dashboard_panel import Chart, Figure, Link, manager_required, render_panel
from tickets.dashboard_filters import BadFilter, parse

from .models import KnownIssueTicket

TOP = 10


@manager_required
@require_GET
def known_issue_panel(request: HttpRequest) -> HttpResponse:
    try:
        filters = parse(request.GET)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    top = list(
        KnownIssueTicket.objects.filter(filters.tickets("ticket__"), filters.between("linked_at"))
        .values("known_issue__external_id", "known_issue__title", "known_issue__status")
        .annotate(tickets=Count("pk"))
        .order_by("-tickets", "known_issue__external_id")[:TOP]
    )
    labels = [r["known_issue__external_id"] for r in top]
    rows = [
        [
            Link(
                r["known_issue__external_id"],
                reverse("kb:known_issue", args=[r["known_issue__external_id"]]),
            ),
            r["known_issue__title"],
            r["known_issue__status"],
            r["tickets"],
        ]
        for r in top
    ]
    chart = Chart("bar", labels, unit="tickets").add("Tickets", [r["tickets"] for r in top])
    return render_panel(
        request,
        title="Known-issue frequency",
        columns=["Known issue", "Title", "Status", "Tickets"],
        rows=rows,
        figures=[Figure("Tickets on the top issues", str(sum(r["tickets"] for r in top)))],
        chart=chart,
        note=f"The {TOP} known issues with the most tickets linked in the range.",
    )


def ready() -> None:
    panels.register(dashboard.SLOT, "kb:dashboard_known_issues", title="Known-issue frequency")
