"""The ticket page's knowledge-base side panel (a helpdesk panel slot): the ticket's known issues
and articles, link to a known issue, close as a known issue, and "Create KB article"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from kb import selectors, services
from kb.forms import TicketKnownIssueForm
from tickets.choices import OPEN_STATUSES, Status
from tickets.selectors import ticket_get_for_user


def _panel(request: HttpRequest, ticket, *, message: str = "", error: str = "") -> HttpResponse:
    ctx = {
        "ticket": ticket,
        "known_issues": list(
            selectors.known_issues_visible_to(request.user)
            .filter(ticket_links__ticket=ticket)
            .order_by("external_id")
        ),
        "articles": list(
            selectors.articles_visible_to(request.user)
            .filter(ticket_links__ticket=ticket)
            .order_by("title")
        ),
        "can_close": ticket.status in OPEN_STATUSES,
        "can_write": ticket.status in (Status.RESOLVED, Status.CLOSED),
        "message": message,
        "error": error,
    }
    return render(request, "kb/_ticket_panel.html", ctx)


@require_GET
@agent_side_required
def ticket_panel(request: HttpRequest, key: str) -> HttpResponse:
    return _panel(request, ticket_get_for_user(request.user, key))


def _respond(request, ticket, *, message: str = "", error: str = "") -> HttpResponse:
    if request.htmx:
        return _panel(request, ticket, message=message, error=error)
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(reverse("ticket_detail", args=[ticket.key]))


@require_POST
@agent_side_required
def ticket_link(request: HttpRequest, key: str) -> HttpResponse:
    """Link the ticket to a known issue, or (with `close`) also resolve it with the playbook's
    known-issue reply filled in with the workaround."""
    ticket = ticket_get_for_user(request.user, key)
    form = TicketKnownIssueForm(request.POST)
    if not form.is_valid():
        return _respond(request, ticket, error="Give the known issue's id, such as KI-101.")
    issue = (
        selectors.known_issues_visible_to(request.user)
        .filter(external_id__iexact=form.cleaned_data["known_issue"].strip())
        .first()
    )
    if issue is None:
        return _respond(request, ticket, error="No known issue has that id.")
    try:
        if "close" in request.POST:
            ticket = services.known_issue_close_ticket(
                issue=issue, ticket=ticket, actor=request.user
            )
            # The reply and the new status are on the ticket page: reload it whole.
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("ticket_detail", args=[ticket.key])
                return response
            messages.success(request, f"Resolved as {issue.external_id}.")
            return redirect(reverse("ticket_detail", args=[ticket.key]))
        services.known_issue_link_ticket(issue=issue, ticket=ticket, actor=request.user)
    except DomainError as exc:
        return _respond(request, ticket, error=exc.message)
    return _respond(request, ticket, message=f"Linked to {issue.external_id}.")
