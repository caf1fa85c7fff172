"""Opening a follow-up of a closed ticket, from the agent's ticket page or the portal. One view
per side (the access decorators differ); both show the same short form and call one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from helpdesk.access import agent_side_required, customer_required
from helpdesk.errors import DomainError
from tickets import followup, services
from tickets.choices import Severity
from tickets.limits import MAX_COMMENT_CHARS
from tickets.selectors import ticket_get_for_user


class FollowUpForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_COMMENT_CHARS, required=False,
        label="What happened since",
    )  # fmt: skip
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int)


def _follow_up(request, key: str, *, portal: bool):
    ticket = ticket_get_for_user(request.user, key)
    initial = {"title": f"Follow-up: {ticket.title}"[:200], "severity": ticket.severity}
    form = FollowUpForm(request.POST or None, initial=initial)
    error = ""
    try:
        followup.check(actor=request.user, ticket=ticket)
    except DomainError as exc:
        error = exc.message
    if request.method == "POST" and not error and form.is_valid():
        try:
            created = services.ticket_follow_up(
                ticket=ticket, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            error = exc.message
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(request, f"{created.key} opened as a follow-up of {ticket.key}.")
            return redirect("portal_ticket" if portal else "ticket_detail", key=created.key)
    ctx = {"ticket": ticket, "form": form, "error": error, "portal": portal}
    ctx["nav"] = "portal" if portal else "queue"
    return render(request, "tickets/follow_up.html", ctx)


@require_http_methods(["GET", "POST"])
@agent_side_required
def ticket_follow_up(request, key: str):
    return _follow_up(request, key, portal=False)


@require_http_methods(["GET", "POST"])
@customer_required
def portal_follow_up(request, key: str):
    return _follow_up(request, key, portal=True)
