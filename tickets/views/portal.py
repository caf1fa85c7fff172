"""The customer portal: a contact follows their organization's tickets, opens new ones, replies,
and confirms or rejects a resolution. Scope comes from tickets.selectors only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk import clock, keyset
from helpdesk import markdown as md
from helpdesk.access import customer_required
from helpdesk.errors import DomainError
from helpdesk.models import User

from .. import services
from ..choices import OPEN_STATUSES, Channel, EventKind, Severity, Status, customer_status_label
from ..expected import TZ_COOKIE, expected_answer, zone_from
from ..forms_portal import PortalReopenForm, PortalReplyForm, PortalTicketForm
from ..models import Organization, Ticket, TicketCc, TicketEvent
from ..selectors import (
    attachments_visible_to,
    comments_visible_to,
    events_visible_to,
    ticket_get_for_user,
    ticket_number_from_key,
    tickets_visible_to,
)
from .followers import cc_context

PAGE_SIZE = 25
FILTERS = {
    "all": ("All", None),
    "open": ("Open", Q(status__in=OPEN_STATUSES)),
    "resolved": ("Resolved", Q(status=Status.RESOLVED)),
    "closed": ("Closed", Q(status=Status.CLOSED)),
}
DEFAULT_FILTER = "all"
# Service errors name model fields; the forms call some of them differently.
FORM_FIELD = {"files": "attachments"}


def _organization(user: User) -> Organization | None:
    contact = getattr(user, "contact", None)
    return contact.organization if contact is not None else None


def _ago(value: datetime, now: datetime) -> str:
    return (
        f"{timesince(value, now, depth=1)} ago"
        if now - value >= timedelta(minutes=1)
        else "just now"
    )


def _add_service_error(form: forms.Form, exc: DomainError | ValidationError) -> None:
    """Put a refusal from a service on the form, beside the field it is about when there is one."""
    if isinstance(exc, DomainError):
        target = FORM_FIELD.get(exc.field or "", exc.field)
        form.add_error(target if target in form.fields else None, exc.message)
        return
    for name, errors in (
        exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    ):
        target = FORM_FIELD.get(name or "", name)
        form.add_error(target if target in form.fields else None, errors)


# --- the ticket list -----------------------------------------------------------------------------


def _search(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    match = Q(search_vector=SearchQuery(text, config="english", search_type="websearch"))
    match |= Q(title__icontains=text)
    number = (
        ticket_number_from_key(text) if "-" in text else (int(text) if text.isdigit() else None)
    )
    if number is not None:
        match |= Q(number=number)
    return qs.filter(match)


# Newest activity first; the cursor keeps (updated_at, id) of the row at the page boundary.
ORDERING = keyset.Ordering("portal", (("updated_at", True),), id_descending=True)


def _list_url(status: str, q: str, **cursor: str) -> str:
    params = {}
    if status != DEFAULT_FILTER:
        params["status"] = status
    if q:
        params["q"] = q
    params.update(cursor)
    query = urlencode(params)
    return reverse("portal") + (f"?{query}" if query else "")


@require_GET
@customer_required
def portal(request: HttpRequest) -> HttpResponse:
    user = request.user
    organization = _organization(user)
    status = request.GET.get("status", DEFAULT_FILTER)
    if status not in FILTERS:
        status = DEFAULT_FILTER
    q = request.GET.get("q", "").strip()[:200]
    cursor = request.GET.get("cursor", "")

    visible = tickets_visible_to(user)
    qs = visible.select_related("requester").defer(
        "description", "search_vector", "error_message", "workaround", "recent_changes"
    )
    qs = qs.annotate(is_cc=Exists(TicketCc.objects.filter(ticket=OuterRef("pk"), user=user)))
    condition = FILTERS[status][1]
    if condition is not None:
        qs = qs.filter(condition)
    if q:
        qs = _search(qs, q)
    try:
        result = keyset.page(qs, ordering=ORDERING, cursor=cursor or None, size=PAGE_SIZE)
    except keyset.InvalidCursor:
        # An edited or stale link shows the first page rather than an error.
        cursor = ""
        result = keyset.page(qs, ordering=ORDERING, cursor=None, size=PAGE_SIZE)
    rows = result.rows

    now = clock.now()
    for ticket in rows:
        ticket.updated_ago = _ago(ticket.updated_at, now)
    # The empty state differs between "nothing matches" and "you have never opened a ticket".
    has_any = bool(rows) or (organization is not None and visible.exists())
    ctx = {
        "nav": "portal",
        "organization": organization,
        "tickets": rows,
        "status": status,
        "q": q,
        "filters": [
            {"key": key, "label": label, "url": _list_url(key, q), "current": key == status}
            for key, (label, _) in FILTERS.items()
        ],
        "older_url": _list_url(status, q, cursor=result.next_cursor)
        if result.next_cursor
        else None,
        "newer_url": (
            _list_url(status, q, cursor=result.previous_cursor) if result.previous_cursor else None
        ),
        "first_url": _list_url(status, q) if cursor else None,
        "has_any": has_any,
        "waiting_count": (
            visible.filter(status=Status.WAITING_ON_CUSTOMER).count() if organization else 0
        ),
    }
    template = "tickets/portal_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#portal-results"
    return render(request, template, ctx)


# --- opening a ticket ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@customer_required
def portal_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    organization = _organization(user)
    if request.method == "GET":
        ctx = {"nav": "portal_new", "organization": organization, "form": PortalTicketForm()}
        return render(request, "tickets/portal_new.html", ctx)
    form = PortalTicketForm(request.POST, request.FILES)
    files_dropped = bool(request.FILES.getlist("attachments"))
    if organization is None:
        form.is_valid()
        form.add_error(None, "Your account is not linked to an organization yet; ask your admin.")
    elif form.is_valid():
        try:
            ticket = services.ticket_create(
                actor=user,
                organization=organization,
                requester=user,
                channel=Channel.PORTAL,
                title=form.cleaned_data["title"],
                files=form.cleaned_data["attachments"],
                **form.ticket_fields(),
            )
        except (DomainError, ValidationError) as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request, f"Ticket {ticket.key} is open. Our support team has been notified."
            )
            return redirect("portal_ticket", key=ticket.key)
    ctx = {
        "nav": "portal_new",
        "organization": organization,
        "form": form,
        "files_dropped": files_dropped,
    }
    return render(request, "tickets/portal_new.html", ctx)


# --- one ticket ----------------------------------------------------------------------------------


@dataclass
class Entry:
    """One item of the conversation: a public comment, or a public event told in words."""

    kind: str  # "comment" or "event"
    at: datetime
    order: int
    comment: Any = None
    event: TicketEvent | None = None
    attachments: list = field(default_factory=list)
    text: str = ""
    pill: str = ""
    pill_label: str = ""
    ago: str = ""

    @property
    def rank_kind(self) -> str:
        return self.event.kind if self.event is not None else "comment"


_RANK = {EventKind.CREATED: 0, "comment": 1}


def _event_entry(event: TicketEvent, ticket: Ticket, viewer: User) -> Entry | None:
    who = (
        "You"
        if event.actor_id == viewer.pk
        else (event.actor.display_name if event.actor else "Support")
    )
    if event.kind == EventKind.CREATED:
        return Entry(
            "event", event.created_at, event.pk, event=event, text=f"{who} opened the ticket"
        )
    if event.kind == EventKind.STATUS:
        try:
            after = Status(event.after)
        except ValueError:
            return None
        verb = {
            Status.CLOSED: "closed the ticket",
            Status.RESOLVED: "marked the ticket as resolved",
        }.get(after, "changed the status to")
        if event.before == Status.RESOLVED and after == Status.INVESTIGATING:
            verb = "reopened the ticket"
        elif (
            event.before == Status.WAITING_ON_CUSTOMER
            and after == Status.IN_PROGRESS
            and (event.actor is not None and not event.actor.is_agent_side)
        ):
            # Customers cannot set this status themselves: their reply to a waiting ticket
            # hands it back. An agent moving it on is an ordinary status change.
            verb = "replied, so the ticket moved to"
            return Entry(
                "event",
                event.created_at,
                event.pk,
                event=event,
                text=f"{who} {verb}",
                pill=f"status-{after.value}",
                pill_label=after.label,
            )
        show_pill = verb == "changed the status to"
        return Entry(
            "event",
            event.created_at,
            event.pk,
            event=event,
            text=f"{who} {verb}",
            pill=f"status-{after.value}" if show_pill else "",
            pill_label=customer_status_label(after) if show_pill else "",
        )
    if event.kind == EventKind.SEVERITY:
        try:
            severity = Severity(int(event.after))
        except (TypeError, ValueError):
            return None
        return Entry(
            "event",
            event.created_at,
            event.pk,
            event=event,
            text=f"{who} changed the severity to",
            pill=f"sev sev-{severity.value}",
            pill_label=f"P{severity.value} · {severity.label}",
        )
    if event.kind == EventKind.FIELD and event.field == "title":
        return Entry(
            "event",
            event.created_at,
            event.pk,
            event=event,
            text=f"{who} renamed the ticket to “{event.after}”",
        )
    if event.kind == EventKind.FOLLOW_UP:
        data = event.after or {}
        if event.field == "follow_up_of":
            text = f"{who} opened this ticket as a follow-up of {data.get('of')}"
        else:
            text = f"{who} opened {data.get('follow_up')} as a follow-up of this ticket"
        return Entry("event", event.created_at, event.pk, event=event, text=text)
    # Replies are shown as comments; attachments beside the message they came with.
    return None


def _conversation(user: User, ticket: Ticket) -> dict[str, Any]:
    now = clock.now()
    attachments = list(attachments_visible_to(user, ticket))
    by_comment: dict[int | None, list] = {}
    for attachment in attachments:
        by_comment.setdefault(attachment.comment_id, []).append(attachment)
    entries: list[Entry] = []
    for comment in comments_visible_to(user, ticket):
        entries.append(
            Entry(
                "comment",
                comment.created_at,
                comment.pk,
                comment=comment,
                attachments=by_comment.get(comment.pk, []),
            )
        )
    for event in events_visible_to(user, ticket):
        entry = _event_entry(event, ticket, user)
        if entry is not None:
            entries.append(entry)
    # At equal times the opening comes first, and a reply before the status change it caused.
    entries.sort(key=lambda e: (e.at, _RANK.get(e.rank_kind, 2), e.order))
    for entry in entries:
        entry.ago = _ago(entry.at, now)
    return {
        "entries": entries,
        "attachments": attachments,
        "ticket_attachments": by_comment.get(None, []),
    }


def _ticket_ctx(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: PortalReplyForm | None = None,
    reopen_form: PortalReopenForm | None = None,
    action_error: str = "",
) -> dict[str, Any]:
    now = clock.now()
    return {
        "nav": "portal",
        "organization": _organization(request.user),
        "ticket": ticket,
        "description_html": mark_safe(md.render(ticket.description)),  # noqa: S308 - nh3-cleaned
        "created_ago": _ago(ticket.created_at, now),
        "updated_ago": _ago(ticket.updated_at, now),
        "reply_form": reply_form or PortalReplyForm(),
        "reopen_form": reopen_form or PortalReopenForm(),
        "action_error": action_error,
        "is_resolved": ticket.status == Status.RESOLVED,
        "is_closed": ticket.status == Status.CLOSED,
        "waiting_on_you": ticket.status == Status.WAITING_ON_CUSTOMER,
        "expected": expected_answer(
            ticket, now=now, zone=zone_from(request.COOKIES.get(TZ_COOKIE))
        ),
        **cc_context(request.user, ticket, request.GET.get("cc_q", "")),
        **_conversation(request.user, ticket),
    }


@require_GET
@customer_required
def portal_ticket(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    if ticket.merged_into_id and (target := _merge_target(request.user, ticket)):
        messages.info(
            request, f"{ticket.key} was merged into {target.key}: the conversation goes on here."
        )
        return redirect("portal_ticket", key=target.key)
    template = "tickets/portal_ticket.html"
    if request.htmx and not request.htmx.boosted:
        template += "#portal-conversation"
    return render(request, template, _ticket_ctx(request, ticket))


def _merge_target(user: User, ticket: Ticket) -> Ticket | None:
    """The ticket a merged one went into, when the customer may see it (a security report
    filed by a colleague stays out of sight: they then see the merged ticket as it was)."""
    try:
        return ticket_get_for_user(user, ticket.merged_into_key)
    except Http404:
        return None


@require_POST
@customer_required
def portal_reply(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    ticket = ticket_get_for_user(user, key)
    form = PortalReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.comment_add(
                ticket=ticket,
                author=user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except (DomainError, ValidationError) as exc:
            _add_service_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Reply sent.")
                return redirect(reverse("portal_ticket", args=[ticket.key]) + "#latest")
            ticket = ticket_get_for_user(user, key)
            ctx = _ticket_ctx(request, ticket)
            ctx["reply_sent"] = True
            ctx["oob"] = True
            return render(request, "tickets/portal_ticket.html#portal-conversation", ctx)
    ctx = _ticket_ctx(request, ticket, reply_form=form)
    ctx["files_dropped"] = bool(request.FILES.getlist("attachments"))
    if request.htmx:
        ctx["oob"] = True  # the refusal may come from a status change made meanwhile
        return render(request, "tickets/portal_ticket.html#portal-conversation", ctx)
    return render(request, "tickets/portal_ticket.html", ctx)


@require_POST
@customer_required
def portal_confirm(request: HttpRequest, key: str) -> HttpResponse:
    ticket = ticket_get_for_user(request.user, key)
    try:
        services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Thanks for confirming. {ticket.key} is closed.")
    return redirect("portal_ticket", key=ticket.key)


@require_POST
@customer_required
def portal_reopen(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    ticket = ticket_get_for_user(user, key)
    form = PortalReopenForm(request.POST)
    form.is_valid()  # the only field is optional text
    body = form.cleaned_data.get("body", "").strip()
    try:
        # One decision: the explanation and the reopening land together or not at all.
        with transaction.atomic():
            if body:
                services.comment_add(ticket=ticket, author=user, body=body)
            services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=user)
    except DomainError as exc:
        ticket = ticket_get_for_user(user, key)
        ctx = _ticket_ctx(request, ticket, reopen_form=form, action_error=exc.message)
        if body and ticket.status != Status.RESOLVED:
            ctx["reply_form"] = PortalReplyForm(initial={"body": body})
        return render(request, "tickets/portal_ticket.html", ctx)
    messages.success(request, f"{ticket.key} is reopened. The support team is on it again.")
    return redirect(reverse("portal_ticket", args=[ticket.key]) + "#latest")
