"""Writes to tickets. Every service is atomic, locks what it changes, writes its timeline event in
the same transaction and announces the change after commit (tickets/events.py)."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from helpdesk import clock
from helpdesk import markdown as md
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User

from . import collisions, conflicts, events, lifecycle, links
from .choices import OPEN_STATUSES, EventKind, Status
from .limits import MAX_COMMENT_CHARS, TICKET_TEXT_LIMITS, check_length
from .models import Attachment, Comment, Organization, Team, Ticket, TicketEvent
from .security import assignee_after_flagging, security_team
from .sla import clocks

# Fields an agent edits directly; status has its own service because it follows the lifecycle.
# In the order forms show them (the admin groups them: the ticket, then impact and context).
EDITABLE_FIELD_ORDER = (
    "title",
    "description",
    "issue_type",
    "severity",
    "category",
    "environment",
    "channel",
    "assignee",
    "team",
    "tags",
    "is_security",
    "affected_users",
    "business_impact",
    "workaround_available",
    "workaround",
    "product_version",
    "browser",
    "platform",
    "account_type",
    "error_message",
    "request_id",
    "affected_endpoint",
    "recent_changes",
    "parent",
    "duplicate_of",
)
EDITABLE_FIELDS = frozenset(EDITABLE_FIELD_ORDER)
# What a customer may set when opening a ticket on the portal or through the API.
CUSTOMER_FIELDS = frozenset(
    {
        "title",
        "description",
        "issue_type",
        "severity",
        "category",
        "environment",
        "affected_users",
        "business_impact",
        "workaround_available",
        "workaround",
        "product_version",
        "browser",
        "platform",
        "account_type",
        "error_message",
        "request_id",
        "affected_endpoint",
        "recent_changes",
    }
)
_EVENT_KIND = {
    "assignee": EventKind.ASSIGNED,
    "team": EventKind.TEAM,
    "severity": EventKind.SEVERITY,
    "tags": EventKind.TAGS,
    "parent": EventKind.LINK,
    "duplicate_of": EventKind.LINK,
}
# Changes the customer sees on their timeline; everything else is internal bookkeeping.
_PUBLIC_FIELDS = frozenset({"title", "severity"})
# Fields a policy matches on: changing one re-applies the SLA from the ticket's creation.
SLA_FIELDS = frozenset({"severity", "channel"})
_TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,49}$")
MAX_TAGS = 20


def _display(value: Any) -> Any:
    """How a value is kept in the timeline: plain JSON, readable without a join."""
    if isinstance(value, User):
        return {"id": value.pk, "label": value.display_name}
    if isinstance(value, Ticket):
        return {"id": value.pk, "label": value.key}
    if isinstance(value, Team | Organization):
        return {"id": value.pk, "label": value.name}
    return value


def _record(
    ticket: Ticket,
    *,
    actor: User | None,
    kind: str,
    now: datetime,
    field: str = "",
    before: Any = None,
    after: Any = None,
    is_internal: bool = True,
    comment: Comment | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        field=field,
        before=_display(before),
        after=_display(after),
        is_internal=is_internal,
        comment=comment,
        created_at=now,
    )


def _lock(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock; every read-modify-write starts here."""
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organization", "assignee", "team")
        .get(pk=ticket.pk)
    )


def normalize_tags(tags: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        tag = str(raw).strip().lower().replace(" ", "-")
        if not tag:
            continue
        if not _TAG_RE.match(tag):
            raise DomainError(
                f"“{raw}” is not a valid tag: use letters, digits, - _ . : (at most 50).",
                field="tags",
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise DomainError(f"A ticket has at most {MAX_TAGS} tags.", field="tags")
    return cleaned


def _validate(ticket: Ticket, fields: Iterable[str]) -> None:
    """Model-level validation (choices, lengths) of the fields being written."""
    names = {f.name for f in Ticket._meta.get_fields() if hasattr(f, "attname")}
    exclude = list(names - set(fields))
    ticket.clean_fields(exclude=exclude)


def _check_links(ticket: Ticket, field: str, target: Ticket | None) -> None:
    links.check(ticket, field, target)


def _check_text(fields: Mapping[str, Any]) -> None:
    for field, limit in TICKET_TEXT_LIMITS.items():
        if field in fields:
            check_length(fields[field], field=field, limit=limit)


def _route_flagged(ticket: Ticket, *, actor: User, changes: dict[str, Any]) -> dict[str, Any]:
    """A ticket being flagged as security goes to the security team, and stays with the agent
    who flagged it when they are not in that team (tickets/security.py)."""
    changes = dict(changes)
    named = "assignee" in changes
    assignee = changes["assignee"] if named else ticket.assignee
    changes["assignee"] = assignee_after_flagging(actor=actor, assignee=assignee, named=named)
    if "team" not in changes and not (ticket.team and ticket.team.is_security):
        changes["team"] = security_team() or ticket.team
    return changes


def _check_assignee(assignee: User | None) -> None:
    if assignee is not None and not (assignee.is_active and assignee.is_agent_side):
        raise DomainError("Only an active agent can be assigned.", field="assignee")


@transaction.atomic
def ticket_create(
    *,
    actor: User,
    organization: Organization,
    title: str,
    requester: User | None = None,
    files: Iterable[UploadedFile] = (),
    number: int | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> Ticket:
    """Open a ticket. Agents may open one on a customer's behalf (phone, chat).

    `number` keeps a ticket's key when importing from another system; `now` backdates an import.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    if requester is not None:
        contact = getattr(requester, "contact", None)
        if contact is None or contact.organization_id != organization.pk:
            raise DomainError(
                "The requester must be a contact of the organization.", field="requester"
            )
    _check_assignee(fields.get("assignee"))
    _check_text(fields)
    if fields.get("is_security"):
        fields["assignee"] = assignee_after_flagging(
            actor=actor, assignee=fields.get("assignee"), named=True
        )
    if "tags" in fields:
        fields["tags"] = normalize_tags(fields["tags"])
    now = now or clock.now()
    ticket = Ticket(
        organization=organization,
        title=(title or "").strip(),
        requester=requester,
        created_at=now,
        updated_at=now,
        **fields,
    )
    if number is not None:
        ticket.number = number
    if ticket.is_security and ticket.team_id is None:
        ticket.team = security_team()
    _validate(ticket, {"title", "organization", *fields})
    ticket.save()
    ticket.refresh_from_db(fields=["number"])
    _record(
        ticket, actor=actor, kind=EventKind.CREATED, now=now, after=ticket.key, is_internal=False
    )
    for upload in files:
        _attach(ticket, upload, uploaded_by=actor, now=now)
    clocks.apply(ticket, now=now)
    events.send_after_commit(events.ticket_created, ticket_id=ticket.pk, actor_id=actor.pk)
    return ticket


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    changes: dict[str, Any],
    expected: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Change fields; one timeline event per field that really changed.

    `expected` holds, for fields being changed, the value the editor saw. A field that someone
    else changed since raises `conflicts.StaleChange` and nothing is written (tickets/conflicts.py).
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"Unknown or read-only field(s): {', '.join(sorted(unknown))}.")
    ticket = _lock(ticket)
    now = now or clock.now()
    if "tags" in changes:
        changes = {**changes, "tags": normalize_tags(changes["tags"] or [])}
    if expected and "tags" in expected:
        expected = {**expected, "tags": normalize_tags(expected["tags"] or [])}
    if "assignee" in changes:
        _check_assignee(changes["assignee"])
    _check_text(changes)
    if changes.get("is_security") and not ticket.is_security:
        changes = _route_flagged(ticket, actor=actor, changes=changes)
    for field in ("parent", "duplicate_of"):
        if field in changes:
            _check_links(ticket, field, changes[field])

    changed: dict[str, tuple[Any, Any]] = {}
    for field, value in changes.items():
        before = getattr(ticket, field)
        if isinstance(value, str) and field not in {"description", "workaround"}:
            value = value.strip()
        if expected and field in expected:
            conflicts.refuse_if_stale(ticket, field=field, seen=expected[field], wanted=value)
        if before == value:
            continue
        setattr(ticket, field, value)
        changed[field] = (before, value)
    if not changed:
        return ticket
    _validate(ticket, changed)
    ticket.updated_at = now
    ticket.save(update_fields=[*changed, "updated_at"])
    for field, (before, after) in changed.items():
        _record(
            ticket,
            actor=actor,
            kind=_EVENT_KIND.get(field, EventKind.FIELD),
            now=now,
            field=field,
            before=before,
            after=after,
            is_internal=field not in _PUBLIC_FIELDS,
        )
    if changed.keys() & SLA_FIELDS:
        clocks.apply(ticket, now=now)
    events.send_after_commit(
        events.ticket_changed,
        ticket_id=ticket.pk,
        actor_id=actor.pk,
        changes={f: (_display(b), _display(a)) for f, (b, a) in changed.items()},
    )
    return ticket


def ticket_assign(
    *, ticket: Ticket, assignee: User | None, actor: User, now: datetime | None = None
) -> Ticket:
    return ticket_update(ticket=ticket, actor=actor, changes={"assignee": assignee}, now=now)


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to: str,
    actor: User,
    message: str = "",
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
    seen_event_id: int | None = None,
) -> Ticket:
    """Move along the lifecycle; an illegal move raises DomainError and changes nothing.

    `message` is a public reply sent in the same action, before the move. Waiting on the
    customer needs one: a ticket waits only after the customer was asked something in public,
    and that question is itself the first response, whose clock never pauses (DESIGN.md 5).
    """
    if to not in Status.values:
        raise DomainError(f"“{to}” is not a status.", field="status", code="invalid_status")
    ticket = _lock(ticket)
    current = ticket.status
    if not actor.is_agent_side and (current, to) not in lifecycle.CUSTOMER_TRANSITIONS:
        raise DomainError(
            "You can confirm a resolution or reopen a resolved ticket; the support team "
            "changes the status otherwise.",
            field="status",
            code="transition_not_allowed",
        )
    if not lifecycle.is_allowed(current, to):
        raise DomainError(
            lifecycle.refusal_message(current, to), field="status", code="illegal_transition"
        )
    message = (message or "").strip()
    if to == Status.WAITING_ON_CUSTOMER and not message:
        raise DomainError(
            "Waiting on the customer needs a public reply that tells them what is needed: "
            "write it with the move (the reply and the status change go together).",
            field="message",
            code="message_required",
        )
    now = now or clock.now()
    if message:
        comment_add(
            ticket=ticket,
            author=actor,
            body=message,
            files=files,
            now=now,
            seen_event_id=seen_event_id,
        )
        ticket = _lock(ticket)
    ticket.status = to
    ticket.updated_at = now
    update = ["status", "updated_at"]
    if to == Status.RESOLVED:
        ticket.resolved_at = now
        update.append("resolved_at")
    elif to == Status.CLOSED:
        ticket.closed_at = now
        update.append("closed_at")
    elif (current, to) == lifecycle.REOPEN:
        ticket.resolved_at = None
        update.append("resolved_at")
    ticket.save(update_fields=update)
    _record(
        ticket,
        actor=actor,
        kind=EventKind.STATUS,
        now=now,
        field="status",
        before=current,
        after=to,
        is_internal=False,
    )
    clocks.on_status_change(ticket, before=current, after=to, now=now)
    events.send_after_commit(
        events.ticket_status_changed,
        ticket_id=ticket.pk,
        actor_id=actor.pk,
        before=current,
        after=to,
    )
    return ticket


def _check_upload(upload: UploadedFile) -> None:
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise DomainError(
            f"“{upload.name}” is {upload.size / 1_048_576:.1f} MB; attachments are limited to "
            f"{limit / 1_048_576:.0f} MB.",
            field="files",
            code="attachment_too_large",
        )
    if upload.size == 0:
        raise DomainError(f"“{upload.name}” is empty.", field="files", code="attachment_empty")


def _attach(
    ticket: Ticket,
    upload: UploadedFile,
    *,
    uploaded_by: User,
    now: datetime,
    comment: Comment | None = None,
    is_internal: bool = False,
) -> Attachment:
    _check_upload(upload)
    name = (upload.name or "attachment").rsplit("/", 1)[-1][:255]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(
        ticket=ticket,
        comment=comment,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        is_internal=is_internal,
        uploaded_by=uploaded_by,
        created_at=now,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record(
        ticket,
        actor=uploaded_by,
        kind=EventKind.ATTACHMENT,
        now=now,
        after=name,
        is_internal=is_internal,
        comment=comment,
    )
    return attachment


@transaction.atomic
def attachment_add(
    *, ticket: Ticket, uploaded_by: User, file: UploadedFile, is_internal: bool = False
) -> Attachment:
    if is_internal and not uploaded_by.is_agent_side:
        raise Forbidden("Only agents can add internal attachments.")
    ticket = _lock(ticket)
    now = clock.now()
    attachment = _attach(ticket, file, uploaded_by=uploaded_by, now=now, is_internal=is_internal)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    return attachment


@transaction.atomic
def comment_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    is_internal: bool = False,
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
    seen_event_id: int | None = None,
) -> Comment:
    """A public reply or an internal note.

    The first public reply by an agent is the first response. A customer's reply to a ticket
    waiting on them hands it back to the team. `seen_event_id` is the last timeline entry the
    author's page showed: a reply or note someone else wrote after it raises
    `collisions.CrossedReply` and nothing is written (tickets/collisions.py).
    """
    body = (body or "").strip()
    files = list(files)
    if not body:
        raise DomainError("Write a message before sending.", field="body", code="required")
    check_length(body, field="body", limit=MAX_COMMENT_CHARS)
    if is_internal and not author.is_agent_side:
        raise Forbidden("Only agents can add internal notes.")
    ticket = _lock(ticket)
    if seen_event_id is not None:
        collisions.refuse_if_crossed(
            ticket, seen_id=seen_event_id, author=author, now=now or clock.now()
        )
    if ticket.status == Status.CLOSED and not is_internal:
        raise DomainError(
            "This ticket is closed. Open a new ticket and mention this one.",
            code="ticket_closed",
        )
    for upload in files:
        _check_upload(upload)
    now = now or clock.now()
    comment = Comment.objects.create(
        ticket=ticket,
        author=author,
        body=body,
        body_html=md.render(body),
        is_internal=is_internal,
        created_at=now,
    )
    _record(
        ticket,
        actor=author,
        kind=EventKind.NOTE if is_internal else EventKind.REPLY,
        now=now,
        is_internal=is_internal,
        comment=comment,
    )
    for upload in files:
        _attach(
            ticket, upload, uploaded_by=author, now=now, comment=comment, is_internal=is_internal
        )

    update = ["updated_at"]
    ticket.updated_at = now
    public_agent_reply = author.is_agent_side and not is_internal
    if public_agent_reply and ticket.first_response_at is None:
        ticket.first_response_at = now
        update.append("first_response_at")
    ticket.save(update_fields=update)
    if public_agent_reply:
        clocks.on_public_agent_reply(ticket, now=now)
    events.send_after_commit(
        events.comment_added,
        ticket_id=ticket.pk,
        comment_id=comment.pk,
        actor_id=author.pk,
        is_internal=is_internal,
    )
    if not author.is_agent_side and ticket.status == Status.WAITING_ON_CUSTOMER:
        _customer_answered(ticket, author=author, now=now)
    return comment


def _customer_answered(ticket: Ticket, *, author: User, now: datetime) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)
    before, ticket.status = ticket.status, Status.IN_PROGRESS
    _record(
        ticket,
        actor=author,
        kind=EventKind.STATUS,
        now=now,
        field="status",
        before=before,
        after=Status.IN_PROGRESS,
        is_internal=False,
    )
    clocks.on_status_change(ticket, before=before, after=Status.IN_PROGRESS, now=now)
    events.send_after_commit(
        events.ticket_status_changed,
        ticket_id=ticket.pk,
        actor_id=author.pk,
        before=before,
        after=Status.IN_PROGRESS,
    )


def bulk_apply(*, tickets: Iterable[Ticket], actor: User, action: str, value: Any) -> dict:
    """Apply one action to many tickets, each in its own transaction; report what was refused."""
    done, refused = [], []
    for ticket in tickets:
        try:
            if action == "status":
                ticket_transition(ticket=ticket, to=value, actor=actor)
            elif action == "assign":
                ticket_assign(ticket=ticket, assignee=value, actor=actor)
            elif action == "add_tag":
                ticket_update(ticket=ticket, actor=actor, changes={"tags": [*ticket.tags, value]})
            else:
                raise DomainError(f"Unknown bulk action “{action}”.")
            done.append(ticket.key)
        except (DomainError, ValidationError) as exc:
            message = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
            refused.append((ticket.key, message))
    return {"done": done, "refused": refused}


@transaction.atomic
def organization_set_tier(*, organization: Organization, tier: str, actor: User) -> int:
    """Change a customer's tier and re-apply the SLA of its open tickets (policies match on tier).

    Returns how many open tickets were re-applied.
    """
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.tier == tier:
        return 0
    organization.tier = tier
    organization.full_clean(validate_unique=False)
    organization.save(update_fields=["tier"])
    now = clock.now()
    count = 0
    open_tickets = organization.tickets.filter(status__in=OPEN_STATUSES).order_by("pk")
    for ticket in open_tickets.select_for_update().select_related("organization"):
        clocks.apply(ticket, now=now)
        count += 1
    return count


@transaction.atomic
def ticket_record_page_step(
    *, ticket_id: int, summary: str, actor: User | None, now: datetime, data: dict | None = None
) -> TicketEvent:
    """An internal timeline entry for a step of an on-call page (started, notified whom,
    acknowledged, resolved), written in the caller's transaction. The ticket is not changed:
    paging is about the people, not the ticket's fields."""
    return TicketEvent.objects.create(
        ticket_id=ticket_id,
        actor=actor,
        kind=EventKind.PAGE,
        after={"summary": summary[:500], **(data or {})},
        is_internal=True,
        created_at=now,
    )


@transaction.atomic
def ticket_record_escalation_step(
    *, ticket_id: int, summary: str, actor: User | None, now: datetime, data: dict | None = None
) -> TicketEvent:
    """An internal timeline entry for a step of an escalation (a bug report sent to engineering,
    accepted or rejected; a tier escalation), written in the caller's transaction. Unlike a page
    step, it is work on the ticket that the agents follow: it counts as the ticket's latest
    update (never moving that time back, for a step told after a later change)."""
    event = TicketEvent.objects.create(
        ticket_id=ticket_id,
        actor=actor,
        kind=EventKind.ESCALATION,
        after={"summary": summary[:500], **(data or {})},
        is_internal=True,
        created_at=now,
    )
    Ticket.objects.filter(pk=ticket_id, updated_at__lt=now).update(updated_at=now)
    return event


@transaction.atomic
def sla_resolution_fulfil_by_commitment(
    *, ticket: Ticket, at: datetime, reason: str, actor: User | None
) -> bool:
    """Fulfil the ticket's resolution target without resolving the ticket: the playbook's
    resolution target is met when the issue is resolved OR its root cause is identified with a
    timeline (an engineering commitment). Late is still late: past the due time the breach is
    recorded first. Nothing is said to the customer. Returns False when there is no running
    resolution target (none in the policy, or already fulfilled)."""
    ticket = _lock(ticket)
    done = clocks.fulfil_by_commitment(ticket, now=at, reason=reason)
    if done:
        _record(
            ticket,
            actor=actor,
            kind=EventKind.SLA,
            now=at,
            field="resolution",
            after="fulfilled_by_commitment",
        )
    return done


from .contacts import contact_create  # noqa: E402,F401
from .followers import (  # noqa: E402,F401
    ticket_cc_add,
    ticket_cc_remove,
    ticket_follow,
    ticket_unfollow,
)
from .followup import ticket_follow_up  # noqa: E402,F401
from .incidents import children_resolve  # noqa: E402,F401
from .macros import macro_apply  # noqa: E402,F401
from .merge import ticket_merge  # noqa: E402,F401
