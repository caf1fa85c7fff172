"""The postmortem's parts of shared pages: the ticket page's side panel (a link to the ticket's
postmortem, or that it is not needed) and the manager dashboard's panel (completion and overdue
action items), each rendered here and loaded by the page through its panel slot."""

from __future__ import annotations

import csv

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helpdesk import clock
from helpdesk.access import agent_side_required
from tickets import dashboard_filters
from tickets.selectors import ticket_get_for_user

from . import selectors
from .models import ActionStatus, Postmortem, Requirement, State


@require_GET
@agent_side_required
def ticket_panel(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    postmortem = (
        Postmortem.objects.filter(ticket=ticket).select_related("owner", "reviewer").first()
    )
    now = clock.now()
    ctx = {
        "ticket": ticket,
        "pm": postmortem,
        "overdue": postmortem is not None
        and postmortem.due_at() is not None
        and postmortem.due_at() < now,
        "open_actions": postmortem.actions.filter(status=ActionStatus.OPEN).count()
        if postmortem
        else 0,
    }
    return render(request, "postmortems/_ticket_panel.html", ctx)


@require_GET
@agent_side_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Completion of the postmortems of incidents resolved in the range (by when the draft was
    opened, which is the resolution), and the action items overdue now."""
    try:
        filters = dashboard_filters.parse(request.GET)
    except dashboard_filters.BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    now = clock.now()
    qs = (
        selectors.postmortems_visible_to(request.user)
        .filter(filters.tickets("ticket__"))
        .filter(filters.between("created_at"))
    )
    rows = []
    for requirement, label in Requirement.choices:
        counts = qs.filter(requirement=requirement).aggregate(
            total=Count("id"),
            published=Count("id", filter=Q(state=State.PUBLISHED)),
            in_review=Count("id", filter=Q(state=State.IN_REVIEW)),
            draft=Count("id", filter=Q(state=State.DRAFT)),
        )
        total = counts["total"]
        rows.append(
            {
                "label": label,
                **counts,
                "completion": round(100 * counts["published"] / total) if total else None,
            }
        )
    overdue_actions = selectors.overdue_actions(request.user, now).filter(
        filters.tickets("postmortem__ticket__")
    )
    overdue_count = overdue_actions.count()
    overdue_docs = selectors.overdue(qs, now).count()
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="postmortems.csv"'
        writer = csv.writer(response)
        writer.writerow(["postmortems", "total", "published", "in review", "draft", "completion %"])
        for row in rows:
            writer.writerow(
                [row["label"], row["total"], row["published"], row["in_review"], row["draft"],
                 "" if row["completion"] is None else row["completion"]]
            )  # fmt: skip
        writer.writerow(["overdue action items", overdue_count, "", "", "", ""])
        return response
    chart = {
        "type": "bar",
        "labels": [row["label"] for row in rows],
        "series": [
            {"name": "Published", "values": [row["published"] for row in rows]},
            {"name": "In review", "values": [row["in_review"] for row in rows]},
            {"name": "Draft", "values": [row["draft"] for row in rows]},
        ],
    }
    ctx = {
        "rows": rows,
        "overdue_actions": overdue_count,
        "overdue_docs": overdue_docs,
        "chart_island": dashboard_filters.chart_island(chart),
        "query": request.GET.urlencode(),
    }
    return render(request, "postmortems/_dashboard.html", ctx)
