"""Pages of engineering and tier escalation: the bug report form, engineering's review list and
one escalation with its decision, the Markdown download, the tier form, and the ticket's side
panel. Customers, and anyone who may not see the ticket, get 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from escalation.engineering import selectors, services
from escalation.engineering.forms import AcceptForm, BugReportForm, RejectForm, TierForm
from escalation.engineering.markdown import bug_report_markdown
from escalation.engineering.prefill import bug_report_from
from escalation.models import EscalationState
from helpdesk import clock
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from tickets.selectors import ticket_get_for_user


def _refusal(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@require_http_methods(["GET", "POST"])
@agent_side_required
def escalation_new(request: HttpRequest, key: str) -> HttpResponse:
    """Review the bug report prefilled from the ticket, then send it."""
    ticket = ticket_get_for_user(request.user, key)
    required = services.required_fields(ticket)
    if request.method == "POST":
        form = BugReportForm(request.POST, required=required)
        if form.is_valid():
            try:
                escalation = services.engineering_escalate(
                    ticket=ticket, actor=request.user, report=form.cleaned_data, now=clock.now()
                )
            except DomainError as exc:
                _refusal(form, exc)
            else:
                return redirect("engineering_detail", pk=escalation.pk)
    else:
        form = BugReportForm(initial=bug_report_from(ticket), required=required)
    waiting = [
        e
        for e in selectors.ticket_escalations(request.user, ticket.pk)
        if e.state == EscalationState.PENDING
    ]
    ctx = {
        "ticket": ticket,
        "form": form,
        "fast": ticket.severity <= 2,
        "waiting": waiting[0] if waiting else None,
        "nav": "engineering",
    }
    return render(request, "escalation/engineering/new.html", ctx)


@require_GET
@agent_side_required
def engineering_list(request: HttpRequest) -> HttpResponse:
    """Engineering's review list: what waits for an answer, then the latest answers."""
    visible = selectors.escalations_visible_to(request.user)
    ctx = {
        "pending": list(visible.filter(state=EscalationState.PENDING).order_by("sent_at")[:100]),
        "decided": list(
            visible.exclude(state=EscalationState.PENDING).order_by("-decided_at")[:20]
        ),
        "can_decide": services.can_decide(request.user),
        "nav": "engineering",
    }
    return render(request, "escalation/engineering/list.html", ctx)


def _detail(request, escalation, *, accept=None, reject=None, message="", status=200):
    ctx = {
        "e": escalation,
        "accept": accept or AcceptForm(),
        "reject": reject or RejectForm(),
        "can_decide": services.can_decide(request.user),
        "message": message,
        "steps": [s for s in escalation.reproduction_steps.splitlines() if s.strip()],
        "nav": "engineering",
    }
    return render(request, "escalation/engineering/detail.html", ctx, status=status)


@require_GET
@agent_side_required
def engineering_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.escalation_get_for_user(request.user, pk))


def _decide(request: HttpRequest, pk: int, form_class, decide, slot: str) -> HttpResponse:
    """Accept or reject: the same form handling, a refusal shown on the form that was sent."""
    escalation = selectors.escalation_get_for_user(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            decide(escalation=escalation, actor=request.user, now=clock.now(), **form.cleaned_data)
        except DomainError as exc:
            _refusal(form, exc)
        else:
            return redirect("engineering_detail", pk=pk)
    return _detail(request, escalation, **{slot: form})


@require_POST
@agent_side_required
def engineering_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, AcceptForm, services.engineering_accept, "accept")


@require_POST
@agent_side_required
def engineering_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, RejectForm, services.engineering_reject, "reject")


@require_GET
@agent_side_required
def engineering_export(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(request.user, pk)
    response = HttpResponse(
        bug_report_markdown(escalation), content_type="text/markdown; charset=utf-8"
    )
    name = f"{escalation.ticket.key}-bug-report-{escalation.pk}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@agent_side_required
def tier_escalate(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    current = services.tier_of(ticket.assignee)
    form = TierForm(request.POST or None, initial={"to_tier": min(current + 1, 3)})
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_escalate(
                ticket=ticket,
                to_tier=form.cleaned_data["to_tier"],
                assignee=form.cleaned_data["assignee"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                now=clock.now(),
            )
        except DomainError as exc:
            _refusal(form, exc)
        else:
            return redirect(ticket.get_absolute_url())
    ctx = {"ticket": ticket, "form": form, "current": current, "nav": "engineering"}
    return render(request, "escalation/engineering/tier.html", ctx)


@require_GET
@agent_side_required
def ticket_panel(request: HttpRequest, key: str) -> HttpResponse:
    """The ticket page's side panel of escalations (loaded by the ticket page's panel slot)."""
    ticket = ticket_get_for_user(request.user, key)
    ctx = {
        "ticket": ticket,
        "escalations": selectors.ticket_escalations(request.user, ticket.pk),
        "tiers": selectors.ticket_tier_escalations(ticket.pk),
        "tier": services.tier_of(ticket.assignee),
    }
    return render(request, "escalation/engineering/_panel.html", ctx)
