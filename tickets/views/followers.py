"""Following a ticket (agents, on the ticket page) and copying colleagues on it (customers, on
the portal). Access comes from tickets.selectors; the rules from tickets/followers.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from helpdesk.access import agent_side_required, customer_required
from helpdesk.errors import DomainError
from helpdesk.models import User
from tickets import followers, services
from tickets.choices import Status
from tickets.selectors import ticket_get_for_user


@require_POST
@agent_side_required
def ticket_follow(request: HttpRequest, key: str) -> HttpResponse:
    """Follow or stop following (the button says which)."""
    ticket = ticket_get_for_user(request.user, key)
    if request.POST.get("follow") == "0":
        services.ticket_unfollow(ticket=ticket, user=request.user)
    else:
        services.ticket_follow(ticket=ticket, user=request.user)
    if not request.htmx:
        return redirect("ticket_detail", key=ticket.key)
    ctx = {"ticket": ticket, "following": followers.is_following(ticket, request.user)}
    return render(request, "tickets/_follow.html", ctx)


def cc_context(user: User, ticket, query: str = "") -> dict:
    """What the portal's CC card shows: who is copied, and colleagues matching `query`."""
    can_change = not ticket.is_security and ticket.status != Status.CLOSED
    query = query.strip()[:100]
    return {
        "cc": followers.cc_of(ticket),
        "cc_can_change": can_change,
        "cc_query": query,
        "cc_candidates": list(followers.cc_candidates(ticket, query=query))
        if can_change and query
        else [],
    }


def _cc_response(request: HttpRequest, ticket, *, error: str = "", query: str = ""):
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("portal_ticket", args=[ticket.key]) + "#portal-cc")
    ctx = {"ticket": ticket, "cc_error": error, **cc_context(request.user, ticket, query)}
    return render(request, "tickets/_portal_cc.html", ctx)


@require_GET
@customer_required
def portal_cc_search(request: HttpRequest, key: str) -> HttpResponse:
    """Colleagues of the organization matching a name or email (at most ten)."""
    ticket = ticket_get_for_user(request.user, key)
    query = request.GET.get("cc_q", "")
    if not request.htmx:
        return redirect(f"{reverse('portal_ticket', args=[ticket.key])}?cc_q={query}#portal-cc")
    ctx = {"ticket": ticket, **cc_context(request.user, ticket, query)}
    return render(request, "tickets/_portal_cc.html#cc-options", ctx)


def _contact(request: HttpRequest) -> User:
    try:
        return User.objects.select_related("contact").get(pk=int(request.POST.get("user", "")))
    except (User.DoesNotExist, ValueError):
        raise Http404 from None


@require_POST
@customer_required
def portal_cc_add(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    try:
        services.ticket_cc_add(ticket=ticket, contact=_contact(request), actor=request.user)
    except DomainError as exc:
        return _cc_response(request, ticket, error=exc.message)
    return _cc_response(request, ticket)


@require_POST
@customer_required
def portal_cc_remove(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    try:
        services.ticket_cc_remove(ticket=ticket, contact=_contact(request), actor=request.user)
    except DomainError as exc:
        return _cc_response(request, ticket, error=exc.message)
    return _cc_response(request, ticket)
