"""Macros on the ticket page: preview what one will change, then apply it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from helpdesk.models import Role
from tickets import macros, services
from tickets.choices import Status
from tickets.conflicts import StaleChange
from tickets.forms import ReplyForm, TicketFieldsForm
from tickets.models import Macro
from tickets.selectors import ticket_get_for_user
from tickets.views.ticket import _respond

# The fields a macro sets, as the preview shows them (the guard compares against these).
_SEEN = ("severity", "team", "assignee", "tags")
_CLEARED_PREVIEW = b'<div id="macro-preview" hx-swap-oob="true"></div>'


def _seen_values(ticket) -> dict[str, str]:
    return {
        "status": ticket.status,
        "severity": str(ticket.severity),
        "team": ticket.team.slug if ticket.team else "",
        "assignee": ticket.assignee.username if ticket.assignee else "",
        "tags": ", ".join(ticket.tags),
    }


@require_GET
@agent_side_required
def macro_usage(request):
    """Which macros matter: every macro by use, for managers (personal ones named with their
    owner); an agent sees the ones they may use."""
    sees_all = request.user.role in (Role.MANAGER, Role.ADMIN)
    qs = Macro.objects.select_related("owner") if sees_all else macros.macros_for(request.user)
    ctx = {
        "nav": "macros",
        "macros": qs.order_by("-use_count", "name")[:500],
        "sees_all": sees_all,
    }
    return render(request, "tickets/macros.html", ctx)


@require_GET
@agent_side_required
def macro_preview(request, key: str):
    """What the chosen macro would change on this ticket, with the button that applies it."""
    ticket = ticket_get_for_user(request.user, key)
    ctx = {"ticket": ticket}
    if pk := request.GET.get("macro"):
        macro = macros.macro_get_for_user(request.user, pk)
        ctx |= {
            "macro": macro,
            "summary": macros.describe(macro, ticket),
            "seen": _seen_values(ticket),
        }
    return render(request, "tickets/_macro_preview.html", ctx)


def _expected(request, ticket) -> dict:
    posted = {f: request.POST[f"seen_{f}"] for f in _SEEN if f"seen_{f}" in request.POST}
    form = TicketFieldsForm(posted)
    form.is_valid()

    def resolve(other_key):
        try:
            return ticket_get_for_user(request.user, other_key)
        except Http404:
            return None

    expected = {k: v for k, v in form.changes(resolve).items() if k not in form.errors}
    if (status := request.POST.get("seen_status")) in Status.values:
        expected["status"] = status
    return expected


@require_POST
@agent_side_required
def macro_apply(request, key: str):
    """Apply a macro: its field changes are saved now, its reply fills the composer."""
    ticket = ticket_get_for_user(request.user, key)
    macro = macros.macro_get_for_user(request.user, request.POST.get("macro", ""))
    try:
        applied = services.macro_apply(
            ticket=ticket, macro=macro, actor=request.user, expected=_expected(request, ticket)
        )
    except StaleChange as exc:
        return _respond(request, ticket, props_error=exc.message, stale=True)
    except DomainError as exc:
        return _respond(request, ticket, error=exc.message)
    said = "; ".join(applied.said) or "nothing to change"
    form = ReplyForm(
        initial={
            "body": applied.reply,
            "is_internal": applied.is_internal,
            "status": applied.status_with_reply,
        }
    )
    done = f"Applied “{macro.name}”: {said}."
    if applied.status_with_reply:
        done += f" The status moves to {Status(applied.status_with_reply).label} with your reply."
    if not applied.reply:
        response = _respond(request, ticket, props_saved=done)
    else:
        response = _respond(request, ticket, props_saved=done, reply_form=form)
    if request.htmx:  # the preview is done with: cleared out of band
        response.content += _CLEARED_PREVIEW
    return response
