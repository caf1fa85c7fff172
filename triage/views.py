"""Triage's partials: the ticket page's panel (suggestions, decisions, the incident), the
composer's reply checks, the queue's incident banner and the dashboard's acceptance rates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import clock
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from tickets.choices import Category, Environment, IssueType, Severity
from tickets.limits import MAX_COMMENT_CHARS
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_user, tickets_visible_to

from . import decisions, incidents, selectors
from .dashboard import acceptance_panel
from .models import Decision, Kind, Suggestion, Trigger
from .pipeline import triage_ticket
from .reply_checks import check_reply, engineering_committed

_LABELS: dict[str, dict[str, str]] = {
    Kind.SEVERITY: {f"P{s.value}": f"P{s.value} {s.label}" for s in Severity},
    Kind.CATEGORY: dict(Category.choices),
    Kind.ISSUE_TYPE: dict(IssueType.choices),
    Kind.ENVIRONMENT: dict(Environment.choices),
    Kind.SECURITY: {"security": "Security report", "not_security": "Not a security report"},
    Kind.CLOSE_AS: {
        "config_error": "Configuration error",
        "expected_behaviour": "Expected behaviour",
    },
    Kind.ESCALATION: {
        "always": "Escalate now",
        "discretion": "Escalate at your discretion",
        "no": "No escalation",
    },
    Kind.INCIDENT: {"declare": "Declare an incident"},
}


def _label(kind: str, value: str) -> str:
    return _LABELS.get(kind, {}).get(value, value)


def _decorate(s: Suggestion, ticket: Ticket) -> Suggestion:
    s.display_value = _label(s.kind, s.value)
    s.display_decided = _label(s.kind, s.decided_value)
    s.choices = [
        (v, _label(s.kind, v)) for v in decisions.VOCABULARY.get(s.kind, ()) if v != s.value
    ]
    s.already = decisions.current_value(s.kind, ticket) == s.value
    return s


def _panel(
    request: HttpRequest,
    ticket: Ticket,
    *,
    message: str = "",
    error: str = "",
    outcome: decisions.Outcome | None = None,
    changed: bool = False,
) -> HttpResponse:
    run = selectors.latest_done_run(ticket)
    suggestions = [_decorate(s, ticket) for s in selectors.suggestions_of(run)]
    incident = incidents.active_for(ticket.parent_id or ticket.pk)
    pending = [s for s in suggestions if s.decision == Decision.PENDING]
    # Why a person must decide, said once for the ticket; a suggestion's own reason (an
    # escalation) stays beside it.
    common = (
        [r for r in pending[0].review_reasons if all(r in s.review_reasons for s in pending)]
        if pending
        else []
    )
    for s in suggestions:
        s.own_review = [r for r in s.review_reasons if r not in common]
    ctx = {
        "ticket": ticket,
        "run": run,
        "waiting": selectors.open_run(ticket, after=run),
        "suggestions": suggestions,
        "pending": len(pending),
        "review": common,
        "incident": incident,
        "leads_incident": incident is not None and incident.parent_id == ticket.pk,
        "matches_incident": _matched_incident(pending) if incident is None else None,
        "reports": incident.parent.children.count() if incident else 0,
        "message": message or (outcome.message if outcome else ""),
        "error": error,
        "compose": outcome.compose if outcome else "",
        "compose_status": outcome.compose_status if outcome else "",
        "changed": changed,
    }
    return render(request, "triage/_ticket_panel.html", ctx)


def _matched_incident(pending: list[Suggestion]):
    """The active incident a new report matches, before anyone linked it."""
    for s in pending:
        if s.kind == Kind.INCIDENT and s.details.get("parent_id"):
            return incidents.active_for(s.details["parent_id"])
    return None


def _respond(request: HttpRequest, ticket: Ticket, **kwargs) -> HttpResponse:
    if request.htmx:
        return _panel(request, ticket, **kwargs)
    if kwargs.get("error"):
        messages.error(request, kwargs["error"])
    elif kwargs.get("message"):
        messages.success(request, kwargs["message"])
    return redirect(reverse("ticket_detail", args=[ticket.key]))


@require_GET
@agent_side_required
def ticket_panel(request: HttpRequest, key: str) -> HttpResponse:
    return _panel(request, ticket_get_for_user(request.user, key))


@require_POST
@agent_side_required
def decide(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    """Accept, override (with `value`) or dismiss one suggestion of the ticket."""
    ticket = ticket_get_for_user(request.user, key)
    suggestion = get_object_or_404(Suggestion, pk=pk, ticket=ticket)
    action = request.POST.get("action", "")
    now = clock.now()
    try:
        if action == "accept":
            outcome = decisions.suggestion_accept(
                suggestion=suggestion, actor=request.user, now=now
            )
        elif action == "override":
            outcome = decisions.suggestion_override(
                suggestion=suggestion, actor=request.user, value=request.POST.get("value", ""),
                now=now,
            )  # fmt: skip
        elif action == "dismiss":
            outcome = decisions.suggestion_dismiss(
                suggestion=suggestion, actor=request.user, now=now
            )
        else:
            raise DomainError("Choose accept, override or dismiss.")
    except DomainError as exc:
        return _respond(request, ticket, error=exc.message)
    # Whether the decision changed the ticket (the page then refreshes its own parts).
    latest = Ticket.objects.filter(pk=ticket.pk).values("updated_at").get()["updated_at"]
    changed = latest != ticket.updated_at
    ticket = ticket_get_for_user(request.user, key)
    if not request.htmx:
        message = outcome.message or f"{suggestion.get_kind_display()}: {action}ed."
        if outcome.compose:
            message += " The suggested reply is for the composer: open the panel with JavaScript."
        return _respond(request, ticket, message=message)
    return _panel(request, ticket, outcome=outcome, changed=changed)


@require_POST
@agent_side_required
def rerun(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    triage_ticket(ticket, now=clock.now(), trigger=Trigger.MANUAL)
    return _respond(request, ticket, message="Triage ran again.")


@require_POST
@agent_side_required
def incident_update(request: HttpRequest, key: str) -> HttpResponse:
    """One public update from the incident to every open report's customer."""
    parent = ticket_get_for_user(request.user, key)
    body = request.POST.get("body", "")
    try:
        incident = incidents.active_for(parent.pk)
        if incident is None or incident.parent_id != parent.pk:
            raise DomainError("This ticket does not lead an active incident.")
        sent = incidents.incident_broadcast(
            parent=parent, actor=request.user, body=body, now=clock.now()
        )
    except DomainError as exc:
        return _respond(request, parent, error=exc.message)
    return _respond(request, parent, message=f"Update sent to {sent} reports.")


@require_http_methods(["GET", "POST"])
@agent_side_required
def reply_check(request: HttpRequest, key: str) -> HttpResponse:
    """The composer's reply checks: GET draws the empty box (the slot's first load), POST
    checks the draft it is sent."""
    ticket = ticket_get_for_user(request.user, key)
    body = request.POST.get("body", "")[:MAX_COMMENT_CHARS]
    internal = request.POST.get("is_internal") in ("on", "true", "1")
    warnings = []
    if not internal and body.strip():
        warnings = check_reply(
            body=body, ticket_key=ticket.key, engineering_confirmed=engineering_committed(ticket)
        )
    ctx = {
        "ticket": ticket,
        "said": [w for w in warnings if not w.reminder],
        "reminders": [w for w in warnings if w.reminder],
    }
    template = "triage/_reply_checks.html"
    if request.htmx and request.htmx.target == "triage-checks-list":
        template += "#checks-list"
    return render(request, template, ctx)


@require_GET
@agent_side_required
def queue_banner(request: HttpRequest) -> HttpResponse:
    active = incidents.active_incidents()
    visible = set(
        tickets_visible_to(request.user)
        .filter(pk__in=[i.parent_id for i in active])
        .values_list("pk", flat=True)
    )
    active = [i for i in active if i.parent_id in visible]
    for incident in active:
        incident.reports = incident.parent.children.count()
    return render(request, "triage/_queue_banner.html", {"incidents": active})


dashboard_acceptance = acceptance_panel
