"""The postmortem's parts of shared pages: the ticket page's side panel (a link to the ticket's
postmortem, or that it is not needed) and the manager dashboard's panel (completion and overdue
action items), each rendered here and loaded by the page through its panel slot."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from helpdesk import clock
from helpdesk.access import agent_side_required
from helpdesk.dashboard_panel import Chart, Figure, Link, percent, percent_text, render_panel
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
                "completion": percent(counts["published"], total),
            }
        )
    overdue_actions = selectors.overdue_actions(request.user, now).filter(
        filters.tickets("postmortem__ticket__")
    )
    overdue_count = overdue_actions.count()
    overdue_docs = selectors.overdue(qs, now).count()
    required = next(row for row in rows if row["label"] == Requirement.REQUIRED.label)
    chart = Chart("bar", [row["label"] for row in rows])
    for name, key in (("Published", "published"), ("In review", "in_review"), ("Draft", "draft")):
        chart.add(name, [row[key] for row in rows])
    overdue_link = Link(str(overdue_count), reverse("postmortems:overdue_actions"))
    return render_panel(
        request,
        title="Postmortems and action items",
        columns=["Postmortems", "Total", "Published", "In review", "Draft", "Completion"],
        rows=[
            *(
                [
                    row["label"],
                    row["total"],
                    row["published"],
                    row["in_review"],
                    row["draft"],
                    percent_text(row["completion"]),
                ]
                for row in rows
            ),
            ["Action items overdue now", overdue_link, "", "", "", ""],
        ],  # fmt: skip
        figures=[
            Figure("Required ones published", percent_text(required["completion"])),
            Figure("Postmortems overdue", str(overdue_docs)),
            Figure("Action items overdue", str(overdue_count)),
        ],
        chart=chart,
        note="Postmortems of the incidents resolved in the range; action items overdue now. "
        "Tier and channel filter by the incident's ticket.",
    )
