"""Merging from the ticket page: pick the ticket to merge into (same organization, open), see
exactly what will move, then confirm. Nothing changes before the confirmation is posted."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from helpdesk.access import agent_side_required
from helpdesk.errors import DomainError
from tickets import merge, services
from tickets.choices import OPEN_STATUSES, Status
from tickets.selectors import ticket_get_for_user, ticket_number_from_key, tickets_visible_to

# The picker lists this many candidates: the agent narrows by typing rather than scrolling.
PICKER_ROWS = 10


def candidates(user, ticket, typed: str) -> list:
    """Open tickets of the same organization the user may see, newest first, matching what was
    typed (a key, or words of the title). One bounded query."""
    qs = (
        tickets_visible_to(user)
        .filter(
            organization_id=ticket.organization_id, status__in=[*OPEN_STATUSES, Status.RESOLVED]
        )
        .exclude(pk=ticket.pk)
    )
    typed = typed.strip()[:100]
    if typed:
        number = ticket_number_from_key(typed.upper())
        if number is None and typed.isdigit():
            number = int(typed)
        qs = qs.filter(
            Q(number=number) | Q(title__icontains=typed) if number else Q(title__icontains=typed)
        )
    return list(
        qs.order_by("-created_at", "-id").only("number", "title", "status", "created_at")[
            :PICKER_ROWS
        ]
    )


def _target(request, typed: str):
    if not typed:
        return None
    try:
        return ticket_get_for_user(request.user, typed.strip().upper()[:40])
    except Http404:
        raise DomainError(f"No ticket {typed.strip()[:40]} that you can see.") from None


@require_http_methods(["GET", "POST"])
@agent_side_required
def ticket_merge(request, key: str):
    """GET: the picker, and with `into` the confirmation of what will move. POST: merge."""
    ticket = ticket_get_for_user(request.user, key)
    typed = (request.POST if request.method == "POST" else request.GET).get("into", "")
    ctx = {"ticket": ticket, "typed": typed, "nav": "queue", "plan": None, "error": ""}
    try:
        target = _target(request, typed)
        if target is not None:
            ctx["plan"] = merge.plan(actor=request.user, source=ticket, target=target)
            if request.method == "POST":
                [moved] = services.ticket_merge(sources=[ticket], target=target, actor=request.user)
                messages.success(request, done_message(moved))
                return redirect("ticket_detail", key=target.key)
    except DomainError as exc:
        ctx["error"], ctx["plan"] = exc.message, None
    ctx["candidates"] = candidates(request.user, ticket, "" if ctx["plan"] else typed)
    return render(request, "tickets/merge.html", ctx)


@require_GET
@agent_side_required
def ticket_merge_picker(request, key: str):
    """The picker's list, as the agent types."""
    ticket = ticket_get_for_user(request.user, key)
    typed = request.GET.get("into") or request.GET.get("q", "")
    ctx = {"ticket": ticket, "candidates": candidates(request.user, ticket, typed)}
    return render(request, "tickets/merge.html#merge-candidates", ctx)


def done_message(moved: merge.MergePlan) -> str:
    parts = [
        f"{moved.comments} comment{'s' if moved.comments != 1 else ''}",
        f"{moved.attachments} attachment{'s' if moved.attachments != 1 else ''}",
    ]
    if moved.requester:
        parts.append(f"{moved.requester.display_name} as CC")
    return (
        f"{moved.source.key} was merged into {moved.target.key} ({', '.join(parts)} moved) "
        "and closed with a note to its customer."
    )


def _sources(request, target) -> tuple[list, list[tuple[str, str]]]:
    """The plans for the tickets named by `from`, and the refusals, each with its reason."""
    data = request.POST if request.method == "POST" else request.GET
    plans, refused = [], []
    for typed in list(dict.fromkeys(data.getlist("from")))[: merge.MAX_SOURCES]:
        key = typed.strip().upper()[:40]
        try:
            source = ticket_get_for_user(request.user, key)
            plans.append(merge.plan(actor=request.user, source=source, target=target))
        except Http404:
            refused.append((key, f"No ticket {key} that you can see."))
        except DomainError as exc:
            refused.append((key, exc.message))
    return plans, refused


@require_http_methods(["GET", "POST"])
@agent_side_required
def ticket_merge_in(request, key: str):
    """Several tickets (the queue's selection) into this one: what moves from each, then all of
    them at once, or none while any is refused."""
    try:
        target = ticket_get_for_user(request.user, key)
    except Http404:
        messages.error(request, f"No ticket {key} that you can see to merge into.")
        return redirect("queue")
    plans, refused = _sources(request, target)
    error = ""
    if request.method == "POST" and plans and not refused:
        try:
            done = services.ticket_merge(
                sources=[p.source for p in plans], target=target, actor=request.user
            )
        except DomainError as exc:
            error = exc.message
        else:
            for moved in done:
                messages.success(request, done_message(moved))
            return redirect("ticket_detail", key=target.key)
    ctx = {"target": target, "plans": plans, "refused": refused, "error": error, "nav": "queue"}
    return render(request, "tickets/merge_in.html", ctx)
