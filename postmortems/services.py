"""Writes to postmortems. Keyword-only, each in one transaction with its history row.

Postmortems change tickets only through tickets.services (the customer summary is a public reply
on each affected ticket) and read them through the ticket timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse

from helpdesk import outbox
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import Role, User
from tickets import services as ticket_services
from tickets.choices import EventKind, Status
from tickets.models import Ticket, TicketEvent
from tickets.selectors import tickets_visible_to

from . import drafting, due
from .impact import affected_tickets
from .models import (
    MAX_SECTION_CHARS,
    SECTION_FIELDS,
    ActionItem,
    ActionKind,
    ActionStatus,
    Change,
    Postmortem,
    Requirement,
    State,
    TimelineEntry,
)

KIND = "postmortem"  # the bell's kind of notice (helpdesk.notifications)
RESOLVED = (Status.RESOLVED, Status.CLOSED)
# As far back as the engine's sweep looks: a resolution older than that was not made here now.
BACKDATED = timedelta(hours=24)


def requirement_for(ticket: Ticket) -> tuple[str, str] | None:
    """(requirement, reason) for a resolved ticket, or None when it needs no postmortem:
    required for a P1 and for any ticket that paged someone, recommended for a P2 (seed 000)."""
    if ticket.severity == 1:
        return Requirement.REQUIRED, "P1 incident"
    if TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PAGE).exists():
        return Requirement.REQUIRED, "the on-call was paged"
    if ticket.severity == 2:
        return Requirement.RECOMMENDED, "P2 incident"
    return None


def _change(postmortem: Postmortem, *, actor: User | None, what: str, now: datetime) -> None:
    Change.objects.create(postmortem=postmortem, actor=actor, what=what[:200], at=now)


def _notify(postmortem: Postmortem, user: User | None, *, title: str, body: str, key: str, now):
    if user is None or not user.is_active:
        return
    if not tickets_visible_to(user).filter(pk=postmortem.ticket_id).exists():
        return
    outbox.send(
        notices=[
            outbox.Notice(
                user,
                title,
                body,
                reverse("postmortems:detail", args=[postmortem.pk]),
                key,
                KIND,
                postmortem.ticket_id,
            )
        ],
        now=now,
    )


@transaction.atomic
def postmortem_open_draft(*, ticket_id: int, now: datetime) -> Postmortem | None:
    """The draft of a resolved ticket that needs one; exactly one per ticket, however often
    this runs (the ticket's row lock orders concurrent calls; the one-to-one key backs it).
    Returns None when the ticket needs none or is not resolved."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.status not in RESOLVED:
        return None
    existing = Postmortem.objects.filter(ticket=ticket).first()
    if existing is not None:
        return existing
    resolved_at = ticket.resolved_at or now
    if resolved_at < now - BACKDATED:
        return None  # resolved long before it reached us (an import): nothing to write now
    needed = requirement_for(ticket)
    if needed is None:
        return None
    requirement, reason = needed
    owner = ticket.assignee if ticket.assignee and ticket.assignee.is_agent_side else None
    postmortem = Postmortem.objects.create(
        ticket=ticket,
        requirement=requirement,
        reason=reason,
        owner=owner,
        draft_due_at=due.draft_due(resolved_at),
        review_due_at=due.review_due(ticket, resolved_at),
        summary=ticket.title,
        created_at=now,
        updated_at=now,
    )
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                postmortem=postmortem,
                at=entry.at,
                kind=entry.kind,
                text=entry.text,
                source_event_id=entry.event_id,
                ticket_key=entry.ticket_key,
                starred=entry.starred,
            )
            for entry in drafting.draft(ticket)
        ]
    )
    _change(postmortem, actor=None, what=f"Draft opened ({requirement}: {reason})", now=now)
    _notify(
        postmortem,
        owner,
        title=f"Postmortem to write: {ticket.key}",
        body=f"{ticket.title} · draft due {postmortem.draft_due_at:%d %b %H:%M} UTC",
        key=f"postmortem:{postmortem.pk}:opened",
        now=now,
    )
    return postmortem


def _lock(postmortem: Postmortem) -> Postmortem:
    return (
        Postmortem.objects.select_for_update(of=("self",))
        .select_related("ticket", "owner", "reviewer")
        .get(pk=postmortem.pk)
    )


def _editable(postmortem: Postmortem) -> None:
    if postmortem.state == State.PUBLISHED:
        raise DomainError(
            "This postmortem is published; its text no longer changes.", code="published"
        )


def _check_agent(user: User | None, postmortem: Postmortem, *, role: str) -> None:
    if user is None:
        return
    if not user.is_agent_side or not user.is_active:
        raise DomainError(f"The {role} must be someone on the support side.", field=role)
    if not tickets_visible_to(user).filter(pk=postmortem.ticket_id).exists():
        raise DomainError(f"The {role} may not see this ticket.", field=role)


@transaction.atomic
def postmortem_save_section(
    *, postmortem: Postmortem, field: str, text: str, actor: User, now: datetime
) -> Postmortem:
    if field not in (*SECTION_FIELDS, "customer_summary"):
        raise DomainError("There is no such section.", field="section")
    text = (text or "").strip()
    if len(text) > MAX_SECTION_CHARS:
        raise DomainError(
            f"A section holds at most {MAX_SECTION_CHARS:,} characters; this one has "
            f"{len(text):,}.",
            field=field,
        )
    postmortem = _lock(postmortem)
    _editable(postmortem)
    setattr(postmortem, field, text)
    postmortem.updated_at = now
    postmortem.save(update_fields=[field, "updated_at"])
    return postmortem


@transaction.atomic
def postmortem_set_owner(
    *, postmortem: Postmortem, owner: User | None, actor: User, now: datetime
) -> Postmortem:
    postmortem = _lock(postmortem)
    _check_agent(owner, postmortem, role="owner")
    postmortem.owner, postmortem.updated_at = owner, now
    postmortem.save(update_fields=["owner", "updated_at"])
    name = owner.display_name if owner else "none"
    _change(postmortem, actor=actor, what=f"Owner: {name}", now=now)
    return postmortem


@transaction.atomic
def timeline_entry_update(
    *,
    entry: TimelineEntry,
    actor: User,
    now: datetime,
    text: str | None = None,
    starred: bool | None = None,
    hidden: bool | None = None,
) -> TimelineEntry:
    postmortem = _lock(entry.postmortem)
    _editable(postmortem)
    entry = TimelineEntry.objects.select_for_update().get(pk=entry.pk)
    fields = []
    if text is not None:
        text = " ".join(text.split())
        if not text:
            raise DomainError("An entry needs some text; hide it instead.", field="text")
        if len(text) > 500:
            raise DomainError("An entry holds at most 500 characters.", field="text")
        if text != entry.text:
            entry.text, entry.edited = text, True
            fields += ["text", "edited"]
    if starred is not None:
        entry.starred = starred
        fields.append("starred")
    if hidden is not None:
        entry.hidden = hidden
        fields.append("hidden")
    if fields:
        entry.save(update_fields=fields)
        Postmortem.objects.filter(pk=postmortem.pk).update(updated_at=now)
    return entry


@transaction.atomic
def timeline_entry_add(
    *, postmortem: Postmortem, at: datetime, text: str, actor: User, now: datetime
) -> TimelineEntry:
    postmortem = _lock(postmortem)
    _editable(postmortem)
    text = " ".join((text or "").split())
    if not text:
        raise DomainError("Write what happened.", field="text")
    if len(text) > 500:
        raise DomainError("An entry holds at most 500 characters.", field="text")
    return TimelineEntry.objects.create(
        postmortem=postmortem, at=at, kind="note", text=text, edited=True
    )


def _action_fields(
    postmortem: Postmortem, *, title: str, owner: User | None, kind: str, link: str
) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("Say what is to be done.", field="title")
    if len(title) > 200:
        raise DomainError("A title holds at most 200 characters.", field="title")
    if kind not in ActionKind.values:
        raise DomainError("Choose mitigate, prevent, detect or process.", field="kind")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise DomainError("The link must be an http(s) address.", field="link") from None
    _check_agent(owner, postmortem, role="owner")
    return title


@transaction.atomic
def action_add(
    *,
    postmortem: Postmortem,
    title: str,
    kind: str,
    actor: User,
    now: datetime,
    owner: User | None = None,
    due_at: datetime | None = None,
    link: str = "",
) -> ActionItem:
    """A new action item; its due date defaults to 15 days for a P1 and 30 otherwise. Action
    items can be added after publication: the work outlives the document."""
    postmortem = _lock(postmortem)
    title = _action_fields(postmortem, title=title, owner=owner, kind=kind, link=link)
    item = ActionItem.objects.create(
        postmortem=postmortem,
        title=title,
        owner=owner,
        kind=kind,
        due_at=due_at or due.action_due(postmortem.ticket, now),
        link=link,
        created_at=now,
    )
    _change(postmortem, actor=actor, what=f"Action item added: {title}", now=now)
    return item


@transaction.atomic
def action_update(
    *,
    item: ActionItem,
    actor: User,
    now: datetime,
    title: str,
    kind: str,
    owner: User | None,
    due_at: datetime,
    link: str,
    status: str,
) -> ActionItem:
    postmortem = _lock(item.postmortem)
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    title = _action_fields(postmortem, title=title, owner=owner, kind=kind, link=link)
    if status not in ActionStatus.values:
        raise DomainError("Choose open, done or won't do.", field="status")
    if due_at != item.due_at:
        item.reminded_at = None  # a new due date is a new obligation, reminded in its turn
    if status != item.status:
        item.done_at = now if status != ActionStatus.OPEN else None
        _change(
            postmortem,
            actor=actor,
            what=f"Action item {ActionStatus(status).label.lower()}: {title}",
            now=now,
        )
    item.title, item.kind, item.owner, item.due_at, item.link, item.status = (
        title,
        kind,
        owner,
        due_at,
        link,
        status,
    )
    item.save()
    return item


@transaction.atomic
def postmortem_submit(
    *, postmortem: Postmortem, reviewer: User, actor: User, now: datetime
) -> Postmortem:
    postmortem = _lock(postmortem)
    if postmortem.state != State.DRAFT:
        raise DomainError("Only a draft can be submitted for review.", code="not_draft")
    if reviewer is None:
        raise DomainError("Choose a reviewer.", field="reviewer")
    _check_agent(reviewer, postmortem, role="reviewer")
    if reviewer.pk == actor.pk:
        raise DomainError("Someone else reviews the postmortem.", field="reviewer")
    if not postmortem.summary.strip() or not postmortem.root_cause.strip():
        raise DomainError(
            "Write the summary and the root cause before asking for a review.", code="incomplete"
        )
    postmortem.state, postmortem.reviewer, postmortem.submitted_at = State.IN_REVIEW, reviewer, now
    postmortem.updated_at = now
    postmortem.save(update_fields=["state", "reviewer", "submitted_at", "updated_at"])
    what = f"Submitted for review to {reviewer.display_name}"
    _change(postmortem, actor=actor, what=what, now=now)
    _notify(
        postmortem,
        reviewer,
        title=f"Postmortem to review: {postmortem.ticket.key}",
        body=f"{postmortem.ticket.title} · review due {postmortem.review_due_at:%d %b %H:%M} UTC",
        key=f"postmortem:{postmortem.pk}:review:{now.timestamp():.0f}",
        now=now,
    )
    return postmortem


@transaction.atomic
def postmortem_return_to_draft(*, postmortem: Postmortem, actor: User, now: datetime) -> Postmortem:
    postmortem = _lock(postmortem)
    if postmortem.state != State.IN_REVIEW:
        raise DomainError("Only a postmortem in review goes back to draft.", code="not_in_review")
    postmortem.state, postmortem.updated_at = State.DRAFT, now
    postmortem.save(update_fields=["state", "updated_at"])
    _change(postmortem, actor=actor, what="Returned to draft with review comments", now=now)
    return postmortem


@transaction.atomic
def postmortem_publish(*, postmortem: Postmortem, actor: User, now: datetime) -> Postmortem:
    """The reviewer (or a manager) publishes; the author does not approve their own work."""
    postmortem = _lock(postmortem)
    if postmortem.state != State.IN_REVIEW:
        raise DomainError("Only a postmortem in review can be published.", code="not_in_review")
    if actor.pk != postmortem.reviewer_id and actor.role not in (Role.MANAGER, Role.ADMIN):
        raise Forbidden("The reviewer or a manager publishes the postmortem.")
    postmortem.state, postmortem.published_at, postmortem.updated_at = State.PUBLISHED, now, now
    postmortem.save(update_fields=["state", "published_at", "updated_at"])
    _change(postmortem, actor=actor, what="Published", now=now)
    return postmortem


@transaction.atomic
def postmortem_send_customer_summary(
    *, postmortem: Postmortem, actor: User, now: datetime
) -> list[str]:
    """The customer-facing summary, as one public reply on each affected ticket (the ticket and
    its linked children), so each customer reads it in their own conversation, by email and in
    the portal. Closed tickets take no reply and are skipped. Sent once; returns the keys."""
    postmortem = _lock(postmortem)
    if postmortem.state != State.PUBLISHED:
        raise DomainError(
            "Publish the postmortem before telling the customers.", code="not_published"
        )
    if postmortem.customer_summary_sent_at:
        raise DomainError("The customer summary was already sent.", code="already_sent")
    text = postmortem.customer_summary.strip()
    if not text:
        raise DomainError("Write the customer summary first.", field="customer_summary")
    sent = []
    affected = affected_tickets(postmortem.ticket).exclude(status=Status.CLOSED)
    for ticket in affected.order_by("number"):
        ticket_services.comment_add(ticket=ticket, author=actor, body=text, now=now)
        sent.append(ticket.key)
    postmortem.customer_summary_sent_at = now
    postmortem.save(update_fields=["customer_summary_sent_at"])
    _change(
        postmortem,
        actor=actor,
        what=f"Customer summary sent on {', '.join(sent) or 'no open ticket'}",
        now=now,
    )
    return sent
