"""Satisfaction pages: the rating page of the email link (no login), the portal's rating panel,
the ratings on the agent's ticket page, and the CSAT panel of the manager dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import clock
from helpdesk.access import agent_side_required, customer_required
from helpdesk.dashboard_panel import Chart, Figure, percent, percent_text, render_panel
from helpdesk.errors import DomainError

from .. import dashboard_filters, satisfaction
from ..models import SatisfactionSurvey
from ..selectors import ticket_get_for_user, tickets_visible_to


def _rating(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("rating", ""))
    except ValueError:
        return None


@csrf_protect
@require_http_methods(["GET", "POST"])
def satisfaction_rate(request: HttpRequest, token: str) -> HttpResponse:
    """The email's link. Mail scanners open links: GET only shows the form; POST records."""
    survey = satisfaction.survey_by_token(token)
    ctx = {"survey": survey, "ratings": satisfaction.RATINGS.items(), "token": token}
    if survey is None:
        ctx["unknown"] = True
        return render(request, "tickets/satisfaction_rate.html", ctx, status=404)
    now = clock.now()
    if request.method == "POST" and not survey.is_rated:
        try:
            survey = satisfaction.survey_rate(
                survey=survey,
                rating=_rating(request) or 0,
                comment=request.POST.get("comment", ""),
                via="email",
                now=now,
            )
            ctx.update(survey=survey, thanked=True)
        except DomainError as exc:
            ctx.update(error=exc.message, comment=request.POST.get("comment", ""))
    ctx["expired"] = not survey.is_rated and survey.expires_at <= now
    return render(request, "tickets/satisfaction_rate.html", ctx)


def _portal_panel(request, ticket, **extra) -> HttpResponse:
    survey = satisfaction.open_survey_for(ticket)
    now = clock.now()
    ctx = {
        "ticket": ticket,
        "survey": survey,
        "ratings": satisfaction.RATINGS.items(),
        "can_rate": survey is not None and not survey.is_rated and survey.expires_at > now,
        **extra,
    }
    return render(request, "tickets/_satisfaction_portal.html", ctx)


@require_GET
@customer_required
def satisfaction_portal_panel(request: HttpRequest, key: str) -> HttpResponse:
    return _portal_panel(request, ticket_get_for_user(request.user, key))


@require_POST
@customer_required
def satisfaction_portal_rate(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    survey = satisfaction.open_survey_for(ticket)
    if survey is None:
        return _portal_panel(request, ticket, error="There is nothing to rate yet.")
    try:
        satisfaction.survey_rate(
            survey=survey,
            rating=_rating(request) or 0,
            comment=request.POST.get("comment", ""),
            via="portal",
            now=clock.now(),
            actor=request.user,
        )
    except DomainError as exc:
        return _portal_panel(
            request, ticket, error=exc.message, comment=request.POST.get("comment", "")
        )
    return _portal_panel(request, ticket, thanked=True)


@require_GET
@agent_side_required
def satisfaction_ticket_panel(request: HttpRequest, key: str) -> HttpResponse:
    """The customer's ratings of this ticket, one per resolution, for the agents."""
    ticket = ticket_get_for_user(request.user, key)
    surveys = list(
        SatisfactionSurvey.objects.filter(ticket=ticket)
        .select_related("customer")
        .order_by("-created_at", "-id")
    )
    for survey in surveys:
        survey.label = satisfaction.RATINGS.get(survey.rating, "")
    ctx = {"ticket": ticket, "surveys": surveys}
    return render(request, "tickets/_satisfaction_panel.html", ctx)


def _weeks(filters, rows) -> list[dict]:
    by_week = {row["week"].date(): row for row in rows}
    if not by_week:
        return []
    first = filters.start or min(by_week)
    last = filters.end or max(by_week)
    week = first - timedelta(days=first.weekday())
    out = []
    while week <= last and len(out) < 400:
        row = by_week.get(week)
        out.append(
            {
                "week": week,
                "count": row["count"] if row else 0,
                "average": round(row["average"], 2) if row else None,
            }
        )
        week += timedelta(days=7)
    return out


@require_GET
@agent_side_required
def csat_dashboard(request: HttpRequest) -> HttpResponse:
    """CSAT average and its weekly trend for the dashboard's range and filters (rating time)."""
    try:
        filters = dashboard_filters.parse(request.GET)
    except dashboard_filters.BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    rated = SatisfactionSurvey.objects.filter(
        rating__isnull=False,
        ticket__in=tickets_visible_to(request.user).filter(filters.tickets()).values("pk"),
    ).filter(filters.between("rated_at"))
    total = rated.aggregate(count=Count("id"), average=Avg("rating"))
    asked = SatisfactionSurvey.objects.filter(
        ticket__in=tickets_visible_to(request.user).filter(filters.tickets()).values("pk")
    ).filter(filters.between("created_at"))
    asked_count = asked.count()
    weeks = _weeks(
        filters,
        rated.annotate(week=TruncWeek("rated_at"))
        .values("week")
        .annotate(count=Count("id"), average=Avg("rating"))
        .order_by("week"),
    )
    distribution = dict(rated.values_list("rating").annotate(n=Count("id")).order_by())
    average = total["average"]
    chart = Chart("line", [row["week"].isoformat() for row in weeks], unit="/ 5")
    chart.add("Average rating", [row["average"] for row in weeks])
    return render_panel(
        request,
        title="Customer satisfaction",
        columns=["Week starting", "Ratings", "Average (1-5)"],
        rows=[[row["week"].isoformat(), row["count"], row["average"]] for row in weeks],
        figures=[
            Figure("Average", "–" if average is None else f"{average:.2f} / 5"),
            Figure("Ratings", str(total["count"])),
            Figure("Answered", percent_text(percent(total["count"], asked_count))),
            Figure(
                "Spread 5★…1★", " · ".join(str(distribution.get(r, 0)) for r in range(5, 0, -1))
            ),
        ],
        chart=chart,
        note="By when the rating was given (1 = very dissatisfied, 5 = very satisfied); "
        "answered: ratings given in the range out of the surveys sent in it.",
    )
