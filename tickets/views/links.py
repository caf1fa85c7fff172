"""The Links section of the agent's ticket page: link a ticket to its parent incident or to the
original it duplicates. It answers htmx with the section itself, so a refusal is shown where the
key was typed and the key stays in its box, and with the timeline, which records the link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from tickets import incidents, services
from tickets.selectors import attachments_visible_to, ticket_get_for_user
from tickets.templatetags.ticket_links import panel_context
from tickets.timeline import timeline

LINK_FIELDS = ("parent", "duplicate_of")


def _link(request, ticket, field: str, typed: str) -> str:
    """Write the link; the refusal in words, or "" when it was written."""
    target = None
    if typed:
        try:
            target = ticket_get_for_user(request.user, typed.upper())
        except Http404:
            return f"No ticket {typed} that you can see."
    try:
        services.ticket_update(ticket=ticket, actor=request.user, changes={field: target})
    except DomainError as exc:
        return exc.message
    except ValidationError as exc:
        return "; ".join(exc.messages)
    return ""


@require_POST
@agent_side_required
def ticket_link(request, key: str):
    ticket = ticket_get_for_user(request.user, key)
    field = next((name for name in LINK_FIELDS if name in request.POST), None)
    typed = request.POST.get(field, "").strip()[:40] if field else ""
    error = _link(request, ticket, field, typed) if field else "Say which link to set."
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("ticket_detail", key=ticket.key)
    ticket = ticket_get_for_user(request.user, key)
    ctx = panel_context(request.user, ticket, error=error, error_field=field, typed=typed)
    ctx["timeline"] = timeline(
        request.user, ticket, list(attachments_visible_to(request.user, ticket))
    )
    ctx["oob"] = True
    return render(request, "tickets/_links_response.html", ctx)


@require_POST
@agent_side_required
def ticket_resolve_children(request, key: str):
    """Resolve the open tickets of this incident, each with the reply written in the panel; the
    panel then says which were resolved and which were refused, and why."""
    ticket = ticket_get_for_user(request.user, key)
    message = request.POST.get("message", "")
    result, error = None, ""
    try:
        result = incidents.children_resolve(parent=ticket, actor=request.user, message=message)
    except DomainError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Resolved: {', '.join(result.resolved) or 'none'}.")
            for child, why in result.refused:
                messages.warning(request, f"{child} was not resolved: {why}")
        return redirect("ticket_detail", key=ticket.key)
    ticket = ticket_get_for_user(request.user, key)
    ctx = panel_context(request.user, ticket, error=error)
    ctx.update(children_result=result, children_message=message if error else "")
    ctx["timeline"] = timeline(
        request.user, ticket, list(attachments_visible_to(request.user, ticket))
    )
    ctx["oob"] = True
    return render(request, "tickets/_links_response.html", ctx)
