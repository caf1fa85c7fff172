"""The agent's ticket page and its actions. Every POST answers htmx with fresh partials
(swapped out-of-band by id) and plain browsers with a redirect back to the page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import clock, markdown, presence
from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from helpdesk.models import User
from tickets import (
    collisions,
    conflicts,
    followers,
    lifecycle,
    macros,
    placeholders,
    replies,
    services,
)
from tickets.choices import Status
from tickets.forms import (
    MAX_UPLOAD_MB,
    ReplyForm,
    TicketCreateForm,
    TicketFieldsForm,
    split_edits,
)
from tickets.security import actor_keeps_access, created_message
from tickets.selectors import attachments_visible_to, ticket_get_for_user
from tickets.sla import clocks
from tickets.timeline import timeline


def _side_form(ticket) -> TicketFieldsForm:
    return TicketFieldsForm(
        auto_id="f-%s",
        initial={
            "assignee": ticket.assignee.username if ticket.assignee else "",
            "team": ticket.team.slug if ticket.team else "",
            "severity": ticket.severity,
            "category": ticket.category,
            "issue_type": ticket.issue_type,
            "environment": ticket.environment,
            "tags": ", ".join(ticket.tags),
            "parent": ticket.parent_key or "",
            "duplicate_of": ticket.duplicate_of_key or "",
        },
    )


def _context(request, ticket, **extra) -> dict:
    attachments = list(attachments_visible_to(request.user, ticket))
    templates = replies.offered_templates(ticket)
    entries = timeline(request.user, ticket, attachments)
    ctx = {
        "ticket": ticket,
        "timeline": entries,
        "last_event_id": max((e.id for e in entries), default=0),
        "attachments": attachments,
        "side_form": _side_form(ticket),
        "targets": [
            (s, Status(s).label) for s in Status.values if lifecycle.is_allowed(ticket.status, s)
        ],
        "templates": templates,
        "macros": list(macros.macros_for(request.user)),
        "following": followers.is_following(ticket, request.user),
        "template_blanks": placeholders.template_blanks(templates),
        "reply_form": ReplyForm(),
        "max_upload_mb": MAX_UPLOAD_MB,
        "others": presence.others(f"ticket:{ticket.pk}", user_id=request.user.pk),
        "sla_rows": clocks.target_rows(ticket, now=clock.now()),
    }
    ctx.update(extra)
    return ctx


def _respond(
    request,
    ticket,
    *,
    error: str = "",
    reply_form=None,
    side_form=None,
    props_saved: str = "",
    props_error: str = "",
    stale: bool = False,
    status_changed: bool = False,
):
    """htmx: fresh head, timeline and sidebar (and the composer after a reply; its status list
    after a move). Else redirect. `props_*` is the outcome shown in the Properties panel."""
    if not request.htmx:
        for text, level in ((error, messages.ERROR), (props_error, messages.ERROR)):
            if text:
                messages.add_message(request, level, text)
        if props_saved:
            messages.success(request, props_saved)
        return redirect("ticket_detail", key=ticket.key)
    ticket = ticket_get_for_user(request.user, ticket.key)
    ctx = _context(
        request,
        ticket,
        error=error,
        oob=True,
        props_saved=props_saved,
        props_error=props_error,
        stale=stale,
        status_changed=status_changed,
    )
    if reply_form is not None:
        ctx["reply_form"] = reply_form
        ctx["refresh_composer"] = True
    if side_form is not None:
        ctx["side_form"] = side_form
    return render(request, "tickets/_ticket_refresh.html", ctx)


def _reply_form_from_template(request, ticket, slug: str) -> ReplyForm:
    template = replies.offered_template(ticket, slug)
    body = replies.render_reply(template, ticket=ticket, agent=request.user) if template else ""
    return ReplyForm(initial={"body": body, "is_internal": bool(template and template.is_internal)})


@require_GET
@agent_side_required
def ticket_detail(request, key: str):
    """The ticket page. `?template=<slug>` opens the composer filled from a reply template (the
    customer-update reminders link here with the status-update template)."""
    ticket = ticket_get_for_user(request.user, key)
    presence.touch(
        f"ticket:{ticket.pk}",
        user_id=request.user.pk,
        name=request.user.display_name,
        state="viewing",
    )
    ctx = _context(request, ticket, nav="queue")
    if slug := request.GET.get("template"):
        ctx["reply_form"] = _reply_form_from_template(request, ticket, slug)
    return render(request, "tickets/ticket.html", ctx)


@require_POST
@agent_side_required
def ticket_reply(request, key: str):
    ticket = ticket_get_for_user(request.user, key)
    form = ReplyForm(request.POST)
    seen = request.POST.get("seen_event", "")
    seen_event_id = int(seen) if seen.isdigit() else None
    if not form.is_valid():
        error = "; ".join(e for errs in form.errors.values() for e in errs)
        return _respond(request, ticket, error=error, reply_form=form)
    try:
        with transaction.atomic():
            target = form.cleaned_data.get("status")
            if target == Status.WAITING_ON_CUSTOMER and not form.cleaned_data["is_internal"]:
                # The reply is the question the customer now owes an answer to: one action.
                services.ticket_transition(
                    ticket=ticket,
                    to=target,
                    actor=request.user,
                    message=form.cleaned_data["body"],
                    files=request.FILES.getlist("files"),
                    seen_event_id=seen_event_id,
                )
            else:
                services.comment_add(
                    ticket=ticket,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    is_internal=form.cleaned_data["is_internal"],
                    files=request.FILES.getlist("files"),
                    seen_event_id=seen_event_id,
                )
                if target and target != ticket.status:
                    services.ticket_transition(ticket=ticket, to=target, actor=request.user)
    except DomainError as exc:
        return _respond(request, ticket, error=exc.message, reply_form=form)
    kind = "Internal note added" if form.cleaned_data["is_internal"] else "Reply sent"
    if not request.htmx:
        messages.success(request, f"{kind}.")
    return _respond(request, ticket, reply_form=ReplyForm())


def _form_errors(form) -> str:
    return "; ".join(e for errs in form.errors.values() for e in errs)


@require_POST
@agent_side_required
def ticket_update(request, key: str):
    """Save the Properties panel: only the fields edited on the page, each refused when someone
    changed it after the page showed it (the other fields stay as they are now)."""
    ticket = ticket_get_for_user(request.user, key)
    edited, seen = split_edits(request.POST)
    if not edited:
        return _respond(request, ticket, props_saved="Nothing to save: no field was changed.")
    form = TicketFieldsForm(edited)
    if not form.is_valid():
        return _respond(request, ticket, props_error=_form_errors(form))

    def resolve(other_key):
        try:
            return ticket_get_for_user(request.user, other_key)
        except Http404:
            return None

    changes = form.changes(resolve)
    if form.errors:
        return _respond(request, ticket, props_error=_form_errors(form))
    seen_form = TicketFieldsForm(seen)
    seen_form.is_valid()
    # A shown value that no longer parses (a team since deleted) cannot guard anything.
    expected = {k: v for k, v in seen_form.changes(resolve).items() if k not in seen_form.errors}
    try:
        services.ticket_update(
            ticket=ticket, actor=request.user, changes=changes, expected=expected
        )
    except conflicts.StaleChange as exc:
        return _respond(request, ticket, props_error=exc.message, stale=True)
    except DomainError as exc:
        return _respond(request, ticket, props_error=exc.message)
    except ValidationError as exc:
        return _respond(request, ticket, props_error="; ".join(exc.messages))
    saved = "; ".join(
        f"{conflicts.field_label(f)} {conflicts.value_label(f, v)}" for f, v in changes.items()
    )
    return _respond(request, ticket, props_saved=f"Saved: {saved}.")


@require_POST
@agent_side_required
def ticket_status(request, key: str):
    ticket = ticket_get_for_user(request.user, key)
    try:
        services.ticket_transition(
            ticket=ticket, to=request.POST.get("status", ""), actor=request.user
        )
    except DomainError as exc:
        return _respond(request, ticket, error=exc.message)
    return _respond(request, ticket, status_changed=True)


@require_POST
@agent_side_required
def ticket_take(request, key: str):
    """Assign to me, unless someone else took the ticket after the page showed its assignee."""
    ticket = ticket_get_for_user(request.user, key)
    expected = None
    if (seen := request.POST.get("seen_assignee")) is not None:
        expected = {"assignee": User.objects.filter(username=seen).first() if seen else None}
    try:
        services.ticket_update(
            ticket=ticket, actor=request.user, changes={"assignee": request.user}, expected=expected
        )
    except DomainError as exc:
        return _respond(request, ticket, error=exc.message)
    return _respond(request, ticket)


@require_POST
@agent_side_required
def ticket_presence(request, key: str):
    """Heartbeat from an open ticket page: say we are here, learn who else is."""
    ticket = ticket_get_for_user(request.user, key)
    state = "replying" if request.POST.get("state") == "replying" else "viewing"
    presence.touch(
        f"ticket:{ticket.pk}", user_id=request.user.pk, name=request.user.display_name, state=state
    )
    others = presence.others(f"ticket:{ticket.pk}", user_id=request.user.pk)
    ctx = {"ticket": ticket, "others": others}
    seen = request.POST.get("seen_event", "")
    if seen.isdigit():  # what others changed since this page was drawn (tickets/collisions.py)
        ctx["last_event_id"] = int(seen)
        ctx["change"] = collisions.newer_change(ticket, seen_id=int(seen), viewer=request.user)
        if ctx["change"]:
            ctx["change_ago"] = ctx["change"].ago(clock.now())
        return render(request, "tickets/_presence_poll.html", ctx)
    return render(request, "tickets/ticket.html#presence", ctx)


@require_POST
@agent_side_required
def ticket_preview(request, key: str):
    ticket_get_for_user(request.user, key)
    html = markdown.render(request.POST.get("body", ""))
    return render(request, "tickets/ticket.html#preview", {"preview_html": html})


@require_GET
@agent_side_required
def ticket_reply_template(request, key: str):
    """The composer's textarea filled from a reply template."""
    ticket = ticket_get_for_user(request.user, key)
    form = _reply_form_from_template(request, ticket, request.GET.get("template", ""))
    return render(
        request, "tickets/ticket.html#composer-body", {"reply_form": form, "ticket": ticket}
    )


@require_http_methods(["GET", "POST"])
@agent_side_required
def ticket_new(request):
    form = TicketCreateForm(
        request.POST or None, initial={"organization": request.GET.get("organization")}
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            ticket = services.ticket_create(
                actor=request.user, files=request.FILES.getlist("files"), **data
            )
        except DomainError as exc:
            error = exc.message
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(request, created_message(ticket, request.user))
            if not actor_keeps_access(ticket, request.user):
                return redirect("queue")  # handed to someone by name: no longer theirs to see
            return redirect("ticket_detail", key=ticket.key)
    ctx = {"form": form, "error": error, "nav": "new", "max_upload_mb": MAX_UPLOAD_MB}
    return render(request, "tickets/ticket_new.html", ctx)
