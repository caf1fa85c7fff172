"""The agent queue page, its results partial, bulk actions and saved views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from helpdesk.access import agent_side_required
from tickets import queue, services
from tickets.choices import Category, Severity, Status
from tickets.forms import BulkForm, QueueFilterForm, SavedViewForm
from tickets.models import SavedView
from tickets.selectors import (
    agent_choices,
    team_choices,
    ticket_get_for_user,
    tickets_visible_to,
)

BUILTIN_VIEWS = [
    ("All open", ""),
    ("SLA breached", "sla=breached"),
    ("Breaching within 1 h", "sla=soon"),
    ("Mine", "assignee=me"),
    ("Unassigned", "assignee=none"),
    ("Critical & high", "severity=1&severity=2"),
    ("Waiting on customer", "status=waiting_on_customer"),
    ("New", "status=new"),
    ("Recently resolved", "status=resolved"),
    # The flag, not a tag: flagging a ticket as security is what routes and hides it.
    ("Security", "security=1"),
]
# Query keys that describe a view (the cursor is a place in it, not part of it).
VIEW_KEYS = (
    "status",
    "severity",
    "team",
    "assignee",
    "organization",
    "category",
    "tag",
    "security",
    "q",
    "sla",
    "sort",
)


def _view_query(params: QueryDict) -> str:
    pairs = [(k, v) for k in VIEW_KEYS for v in params.getlist(k) if v]
    return urlencode(pairs)


def _saved_views(user):
    views = SavedView.objects.filter(Q(owner=user) | Q(is_shared=True)).select_related("owner")
    personal = [v for v in views if v.owner_id == user.pk]
    shared = [v for v in views if v.owner_id != user.pk]
    return personal, shared


def _results_context(request, params: QueryDict) -> dict:
    form = QueueFilterForm(params)
    query = form.to_query()
    result = queue.page(request.user, query)
    view_query = _view_query(params)

    def at(cursor: str | None) -> str | None:
        if not cursor:
            return None
        params = QueryDict(view_query, mutable=True)
        params["cursor"] = cursor
        return "?" + params.urlencode()

    selected = {int(i) for i in params.getlist("ids") if i.isdigit()}
    every_status_url = None
    if query.q and queue.statuses_of(query) is not None:
        wider = QueryDict(view_query, mutable=True)
        wider.setlist("status", ["all"])
        every_status_url = "?" + wider.urlencode()
    return {
        "page": result,
        "form": form,
        "view_query": view_query,
        "next_url": at(result.next_cursor),
        "previous_url": at(result.previous_cursor),
        "first_url": "?" + view_query if view_query else "?",
        # A word search within some statuses says so, and widens to all of them in one click.
        "every_status_url": every_status_url,
        "searched_statuses": _searched_statuses(query),
        "selected": selected,
        "cursor": query.cursor,
        # The bulk bar inside the results needs these on an HTMX refresh too.
        "agent_choices": agent_choices(),
        "bulk_statuses": Status.choices,
    }


@require_GET
@agent_side_required
def queue_page(request):
    ctx = _results_context(request, request.GET)
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "tickets/queue.html#queue-results", ctx)
    personal, shared = _saved_views(request.user)
    ctx.update(
        nav="queue",
        builtin_views=BUILTIN_VIEWS,
        personal_views=personal,
        shared_views=shared,
        statuses=[("open", "All open"), *Status.choices, ("all", "Any status")],
        severities=list(Severity),
        categories=Category.choices,
        team_choices=team_choices(),
        sort_labels=queue.SORT_LABELS,
        sla_filters=queue.SLA_FILTERS,
    )
    return render(request, "tickets/queue.html", ctx)


def _searched_statuses(query: queue.QueueQuery) -> str:
    if query.status == ("open",):
        return "open tickets"
    labels = dict(Status.choices)
    named = [labels.get(s, "open") for s in query.status if s != "all"]
    return "tickets " + ", ".join(n.lower() for n in named)


@require_GET
@agent_side_required
def ticket_search(request):
    """The top bar's search. A ticket key opens that ticket when the user may see it; anything
    else (an unknown key, or one out of the user's scope, alike) lists the matches of every
    status in the queue."""
    text = (request.GET.get("q") or "").strip()[:200]
    if queue.key_number(text) is not None:
        try:
            ticket = ticket_get_for_user(request.user, text.upper())
        except Http404:
            pass
        else:
            return redirect(ticket.get_absolute_url())
    return redirect(reverse("queue") + "?" + urlencode({"q": text, "status": "all"}))


@require_GET
@agent_side_required
def queue_organizations(request):
    """The organization picker's options for what was typed (by name, any case)."""
    ctx = {"organizations": queue.organization_options(request.GET.get("organization", "")[:80])}
    return render(request, "tickets/_organization_options.html", ctx)


@require_POST
@agent_side_required
def queue_bulk(request):
    """Apply one action to the selected tickets, then show the same place in the queue."""
    form = BulkForm(request.POST)
    if form.is_valid():
        ids = form.cleaned_data["ids"][:200]
        tickets = list(tickets_visible_to(request.user).filter(pk__in=ids))
        if form.cleaned_data["bulk_action"] == "merge":
            return _to_merge_confirmation(request, tickets, form.cleaned_data["value"])
        outcome = services.bulk_apply(
            tickets=tickets,
            actor=request.user,
            action=form.cleaned_data["bulk_action"],
            value=form.cleaned_data["value"],
        )
        if outcome["done"]:
            messages.success(request, f"Updated {len(outcome['done'])} ticket(s).")
        for key, reason in outcome["refused"][:10]:
            messages.error(request, f"{key}: {reason}")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    params = request.POST.copy()
    params.pop("ids", None)  # the selection is done with once applied
    if request.htmx:
        ctx = _results_context(request, params)
        return render(request, "tickets/queue.html#queue-results", ctx)
    return redirect(reverse("queue") + "?" + _view_query(params))


def _to_merge_confirmation(request, tickets, target_key: str):
    """The selection goes to the merge confirmation, which says what moves before anything does."""
    keys = [("from", t.key) for t in sorted(tickets, key=lambda t: t.number) if t.key != target_key]
    url = reverse("ticket_merge_in", args=[target_key]) + "?" + urlencode(keys)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@agent_side_required
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"].strip()
        shared = form.cleaned_data["is_shared"]
        view, created = SavedView.objects.update_or_create(
            owner=request.user,
            name=name,
            defaults={"query": form.cleaned_data["query"] or "", "is_shared": shared},
        )
        messages.success(request, f"Saved view “{name}” {'created' if created else 'updated'}.")
        return redirect(reverse("queue") + "?" + view.query)
    messages.error(request, "Give the view a name (at most 80 characters).")
    return redirect(reverse("queue") + "?" + (request.POST.get("query") or ""))


@require_POST
@agent_side_required
def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk)
    if view.owner_id != request.user.pk:
        raise Http404
    view.delete()
    messages.success(request, f"Deleted view “{view.name}”.")
    return redirect("queue")
