"""Merging tickets: the same request reported as several tickets becomes one.

Everything the merged ticket holds moves to the ticket it is merged into, with its history: the
comments (with their timeline entries, at their original times), the attachments, the requester
and CC list (as CC of the target) and the followers. The description is kept as an internal note
on the target. The merged ticket is closed with a public note that points to the target, its SLA
clocks stop (the target's clocks carry the customer's wait) and it keeps `merged_into`, which
pages, the portal and the API follow. Both tickets record on their timeline what moved.

Only tickets of one organization merge (a contact of another customer never ends up on the
ticket), both seen through the access policy, and security reports only by agents cleared for
them, into another security report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from helpdesk import clock
from helpdesk import markdown as md
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User

from . import events
from .choices import EventKind, Status
from .models import Attachment, Comment, Ticket, TicketCc, TicketEvent, TicketFollower
from .selectors import has_security_clearance, tickets_visible_to
from .sla import clocks

# One confirmation merges at most this many tickets: enough for a burst of duplicates, few
# enough to read the list of what moves before confirming.
MAX_SOURCES = 20
# Timeline entries that belong to what moves (a comment, a file) and move with it.
_MOVING_KINDS = (EventKind.REPLY, EventKind.NOTE, EventKind.ATTACHMENT)


@dataclass(frozen=True)
class MergePlan:
    """What merging `source` into `target` moves: shown before, recorded after."""

    source: Ticket
    target: Ticket
    comments: int
    attachments: int
    requester: User | None  # the source's requester, who becomes a CC of the target
    cc: int
    followers: int

    def as_data(self) -> dict:
        return {
            "comments": self.comments,
            "attachments": self.attachments,
            "requester": self.requester.display_name if self.requester else None,
            "cc": self.cc,
            "followers": self.followers,
        }


def check(*, actor: User, source: Ticket, target: Ticket) -> None:
    """Refuse a merge that breaks a rule above, with the reason in words."""
    if not actor.is_agent_side:
        raise Forbidden("Only agents can merge tickets.")
    visible = tickets_visible_to(actor)
    for ticket in (source, target):
        if not visible.filter(pk=ticket.pk).exists():
            raise DomainError(f"No ticket {ticket.key} that you can see.", code="not_found")
    if source.pk == target.pk:
        raise DomainError("A ticket cannot be merged into itself.", code="merge_into_itself")
    if source.organization_id != target.organization_id:
        raise DomainError(
            f"{source.key} belongs to {source.organization.name} and {target.key} to "
            f"{target.organization.name}: only tickets of one organization can be merged, so "
            "no customer's conversation ends up on another customer's ticket. For one problem "
            "hitting several customers, link both to a parent incident.",
            code="merge_other_organization",
        )
    if source.status == Status.CLOSED:
        raise DomainError(
            f"{source.key} is closed, and a closed ticket is final: it cannot be merged.",
            code="merge_closed",
        )
    if target.status == Status.CLOSED:
        raise DomainError(
            f"{target.key} is closed: merge into an open ticket, or open a follow-up of "
            f"{target.key} first and merge into that.",
            code="merge_into_closed",
        )
    if (source.is_security or target.is_security) and not has_security_clearance(actor):
        raise Forbidden(
            "Security reports are merged only by the security team: ask them to merge these.",
        )
    if source.is_security and not target.is_security:
        raise DomainError(
            f"{source.key} is a security report and {target.key} is not: merging would show "
            f"its conversation to everyone who sees {target.key}. Flag {target.key} as security "
            "first, if it is the same report.",
            code="merge_security_into_open",
        )


def plan(*, actor: User, source: Ticket, target: Ticket) -> MergePlan:
    """Check the merge and count what it would move (a few small counts)."""
    check(actor=actor, source=source, target=target)
    moving_requester = (
        source.requester if source.requester_id not in (None, target.requester_id) else None
    )
    return MergePlan(
        source=source,
        target=target,
        comments=Comment.objects.filter(ticket=source).count(),
        attachments=Attachment.objects.filter(ticket=source).count(),
        requester=moving_requester,
        cc=TicketCc.objects.filter(ticket=source).count(),
        followers=TicketFollower.objects.filter(ticket=source).count(),
    )


def _locked(pks: Iterable[int]) -> dict[int, Ticket]:
    """Lock the tickets in id order, so two merges touching the same tickets never deadlock."""
    rows = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organization", "requester", "assignee", "team")
        .filter(pk__in=sorted(set(pks)))
        .order_by("pk")
    )
    return {t.pk: t for t in rows}


def _move(source: Ticket, target: Ticket, *, actor: User, now: datetime) -> MergePlan:
    moved = plan(actor=actor, source=source, target=target)
    comment_ids = list(Comment.objects.filter(ticket=source).values_list("pk", flat=True))
    Comment.objects.filter(pk__in=comment_ids).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    # The target's timeline gains the moved entries at their own times; the merged ticket keeps
    # its own (the timeline is append-only), so both still read as they happened.
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=target,
            actor_id=e.actor_id,
            kind=e.kind,
            field=e.field,
            before={"merged_from": source.key},
            after=e.after,
            is_internal=e.is_internal,
            comment_id=e.comment_id,
            created_at=e.created_at,
        )
        for e in TicketEvent.objects.filter(ticket=source, kind__in=_MOVING_KINDS).order_by(
            "created_at", "id"
        )
    )
    if source.description.strip():
        body = f"Merged from {source.key} “{source.title}”:\n\n{source.description}"
        note = Comment.objects.create(
            ticket=target,
            author=actor,
            body=body,
            body_html=md.render(body),
            is_internal=True,
            created_at=now,
        )
        TicketEvent.objects.create(
            ticket=target, actor=actor, kind=EventKind.NOTE, comment=note, created_at=now
        )
    people = [moved.requester] if moved.requester else []
    people += [cc.user for cc in TicketCc.objects.filter(ticket=source).select_related("user")]
    TicketCc.objects.bulk_create(
        [
            TicketCc(ticket=target, user=person, added_by=actor, created_at=now)
            for person in people
            if person.pk != target.requester_id
        ],
        ignore_conflicts=True,
    )
    TicketFollower.objects.bulk_create(
        [
            TicketFollower(ticket=target, user_id=user_id, created_at=now)
            for user_id in TicketFollower.objects.filter(ticket=source).values_list(
                "user_id", flat=True
            )
        ],
        ignore_conflicts=True,
    )
    return moved


def _close(source: Ticket, target: Ticket, *, actor: User, moved: MergePlan, now: datetime):
    body = (
        f"This request was merged into {target.key} “{target.title}”, where the conversation "
        "continues: everything said here is there too, and replies go there."
    )
    note = Comment.objects.create(
        ticket=source, author=actor, body=body, body_html=md.render(body), created_at=now
    )
    TicketEvent.objects.create(
        ticket=source, actor=actor, kind=EventKind.REPLY, comment=note, is_internal=False,
        created_at=now,
    )  # fmt: skip
    before = source.status
    source.status, source.closed_at, source.updated_at = Status.CLOSED, now, now
    source.merged_into = target
    source.save(update_fields=["status", "closed_at", "updated_at", "merged_into"])
    TicketEvent.objects.create(
        ticket=source, actor=actor, kind=EventKind.STATUS, field="status", before=before,
        after=Status.CLOSED, is_internal=False, created_at=now,
    )  # fmt: skip
    TicketEvent.objects.create(
        ticket=source, actor=actor, kind=EventKind.MERGE, field="merged_into",
        after={"into": target.key, **moved.as_data()}, is_internal=False, created_at=now,
    )  # fmt: skip
    TicketEvent.objects.create(
        ticket=target, actor=actor, kind=EventKind.MERGE, field="merged_in",
        before={"from": source.key}, after={"from": source.key, **moved.as_data()},
        is_internal=True, created_at=now,
    )  # fmt: skip
    clocks.stop(source, now=now, reason="merged")
    events.send_after_commit(
        events.comment_added,
        ticket_id=source.pk,
        comment_id=note.pk,
        actor_id=actor.pk,
        is_internal=False,
    )
    events.send_after_commit(
        events.ticket_status_changed,
        ticket_id=source.pk,
        actor_id=actor.pk,
        before=before,
        after=Status.CLOSED,
    )


@transaction.atomic
def ticket_merge(
    *, sources: Iterable[Ticket], target: Ticket, actor: User, now: datetime | None = None
) -> list[MergePlan]:
    """Merge each of `sources` into `target`, all or nothing; returns what moved from each.

    Every rule is checked on the rows as they are under lock, so a ticket closed or moved to
    another organization since the confirmation was shown is refused, and nothing moves."""
    source_ids = [s.pk for s in sources]
    if not source_ids:
        raise DomainError("Choose at least one ticket to merge.", code="required")
    if len(set(source_ids)) > MAX_SOURCES:
        raise DomainError(f"Merge at most {MAX_SOURCES} tickets at a time.", code="too_many")
    now = now or clock.now()
    locked = _locked([*source_ids, target.pk])
    target = locked[target.pk]
    done = []
    for pk in dict.fromkeys(source_ids):
        source = locked[pk]
        moved = _move(source, target, actor=actor, now=now)
        _close(source, target, actor=actor, moved=moved, now=now)
        done.append(moved)
    target.updated_at = now
    target.save(update_fields=["updated_at"])
    events.send_after_commit(
        events.ticket_changed,
        ticket_id=target.pk,
        actor_id=actor.pk,
        changes={"merged_in": (None, [m.source.key for m in done])},
    )
    return done
