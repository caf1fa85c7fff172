"""Notices for the people who follow a ticket or are copied on it (tickets/followers.py).

- Followers (agents): a customer's reply, a status change, an assignment change.
- CC (the requester's colleagues): what the requester is told, the ticket's public updates
  (support's public replies and status changes).

Nobody is told of their own action, and nobody twice for one occurrence: whoever the ticket's
own notices already reach (its owners for a customer reply, the new assignee, the requester)
is left out here. Same bell, preferences and outbox as tickets/notifications.py; a follower's
notices are a kind of their own, so an agent can turn them off by email and keep the bell.
"""

from __future__ import annotations

from helpdesk import notifications as platform
from helpdesk import outbox

from . import events
from . import notifications as base
from .choices import EventKind, Status, customer_status_label
from .followers import cc_of, followers_of
from .models import Comment, Ticket

FOLLOWED = "followed"
KIND = platform.Kind(
    FOLLOWED, "A ticket I follow: customer replies, status and assignee changes", True, False
)


def _not(people: list, *, told: set[int]) -> list:
    return [p for p in people if p.pk not in told]


def notices_for_comment(comment: Comment) -> list[outbox.Notice]:
    ticket, author = comment.ticket, comment.author
    if author is None or comment.is_internal:
        return []
    excerpt = base._excerpt(comment.body)
    key = f"comment:{comment.pk}"
    if not author.is_agent_side:
        told = {u.pk for u in base.owners(ticket, with_lead=False)} | {author.pk}
        title = f"{author.display_name} replied on {ticket.key} (you follow it)"
        return [
            base._notice(user, FOLLOWED, ticket, title, excerpt, f"{key}:{FOLLOWED}")
            for user in _not(followers_of(ticket), told=told)
        ]
    if base._moved_with(comment):
        return []  # told with the status move it came with
    told = {author.pk, ticket.requester_id}
    title = f"Support replied on {ticket.key}"
    return [
        base._notice(user, base.AGENT_REPLY, ticket, title, excerpt, f"{key}:{base.AGENT_REPLY}")
        for user in _not(cc_of(ticket), told=told)
    ]


def notices_for_status(ticket: Ticket, actor_id: int, after: str) -> list[outbox.Notice]:
    event = base._latest_event(ticket, EventKind.STATUS, actor_id, after=after)
    if event is None:
        return []
    key = f"ticket:{ticket.pk}:status:{event['id']}"
    label = Status(after).label
    notices = [
        base._notice(
            user, FOLLOWED, ticket, f"{ticket.key} is now {label.lower()}", ticket.title, key
        )
        for user in _not(followers_of(ticket), told={actor_id})
    ]
    if after in base._CUSTOMER_STATUS_BODY:
        title = f"{ticket.key} is now {customer_status_label(after).lower()}"
        # A move made with a message (waiting on you: the question) carries it, as for the
        # requester.
        message = (
            Comment.objects.filter(
                ticket=ticket, author_id=actor_id, is_internal=False, created_at=event["created_at"]
            )
            .values_list("body", flat=True)
            .first()
        )
        body = (
            base._excerpt(message)
            if message
            else base._CUSTOMER_STATUS_BODY[after].format(title=ticket.title)
        )
        notices += [
            base._notice(user, base.STATUS, ticket, title, body, key)
            for user in _not(cc_of(ticket), told={actor_id, ticket.requester_id})
        ]
    return notices


def notices_for_changed(ticket: Ticket, actor_id: int, changes: dict) -> list[outbox.Notice]:
    before, after = changes["assignee"]
    event = base._latest_event(ticket, EventKind.ASSIGNED, actor_id)
    if event is None:
        return []
    name = after["label"] if after else "nobody"
    title = f"{ticket.key} is now assigned to {name}"
    key = f"ticket:{ticket.pk}:assigned:{event['id']}"
    told = {actor_id, after["id"] if after else None}
    return [
        base._notice(user, FOLLOWED, ticket, title, ticket.title, key)
        for user in _not(followers_of(ticket), told=told)
    ]


def on_comment_added(sender, *, comment_id: int, is_internal: bool = False, **kwargs) -> None:
    if is_internal:
        return

    def build():
        comment = (
            Comment.objects.select_related("author", "ticket__organization", "ticket__assignee")
            .select_related("ticket__team__lead")
            .prefetch_related("ticket__team__members")
            .filter(pk=comment_id)
            .first()
        )
        return notices_for_comment(comment) if comment else []

    base._deliver(build, f"comment {comment_id} to followers and CC")


def on_status_changed(sender, *, ticket_id: int, actor_id: int, after: str, **kwargs) -> None:
    def build():
        ticket = base._ticket(ticket_id)
        return notices_for_status(ticket, actor_id, after) if ticket else []

    base._deliver(build, f"ticket {ticket_id} status to followers and CC")


def on_ticket_changed(sender, *, ticket_id: int, actor_id: int, changes: dict, **kwargs) -> None:
    if "assignee" not in changes:
        return

    def build():
        ticket = base._ticket(ticket_id)
        return notices_for_changed(ticket, actor_id, changes) if ticket else []

    base._deliver(build, f"ticket {ticket_id} assignee to followers")


def connect() -> None:
    platform.register_kind(KIND)
    for signal, receiver in (
        (events.ticket_changed, on_ticket_changed),
        (events.ticket_status_changed, on_status_changed),
        (events.comment_added, on_comment_added),
    ):
        signal.connect(receiver, dispatch_uid=f"followers-{receiver.__name__}")
