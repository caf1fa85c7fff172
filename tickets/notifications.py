"""Who is told of what happens to a ticket.

- A new ticket nobody owns: its team, else the team that triages new tickets (members and lead).
- An assignment: the new assignee.
- A customer's reply: the assignee, else the ticket's team, else the triage team.
- An @username in an agent's comment: that colleague, if they may see the ticket.
- A status change and an agent's public reply: the customer who asked (the portal's bell).

Nobody is told of their own action. Each notice lands in the bell and, per the user's preference,
by email through the outbox; its dedup key names the occurrence, so deciding twice tells once.
The receivers run after the ticket's transaction has committed and write the notices in a
transaction of their own: the ticket is already saved, so a failure here is logged, never shown
to the person who made the change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from helpdesk import clock, notifications, outbox
from helpdesk.models import AGENT_SIDE_ROLES, Notification, Role, User

from . import events
from .choices import EventKind, Severity, Status, customer_status_label
from .models import Comment, Team, Ticket, TicketEvent
from .selectors import has_security_clearance, tickets_visible_to, users_who_can_see

log = logging.getLogger(__name__)

NEW_TICKET = "new_ticket"
ASSIGNED = "assigned"
CUSTOMER_REPLY = "customer_reply"
MENTION = "mention"
SLA = "sla"
STATUS = "status"
AGENT_REPLY = "agent_reply"

KINDS = (
    notifications.Kind(NEW_TICKET, "New tickets for my team (or for triage)", True, False),
    notifications.Kind(ASSIGNED, "A ticket is assigned to me", True, False),
    notifications.Kind(CUSTOMER_REPLY, "A customer replies on my ticket", True, False),
    notifications.Kind(MENTION, "A colleague mentions me (@username)", True, False),
    notifications.Kind(SLA, "SLA warnings, update reminders and breaches", True, False),
    notifications.Kind(STATUS, "The status of my ticket changes", False, True),
    notifications.Kind(AGENT_REPLY, "Support replies on my ticket", False, True),
)

# `@name` not preceded by a word character, so addresses (ops@example.com) are not mentions.
# Usernames may contain . + - _ but a mention never ends with the sentence's full stop.
MENTION_RE = re.compile(r"(?<![\w.+-])@([\w.+-]*\w)")
MAX_MENTIONS = 20

_CUSTOMER_STATUS_BODY = {
    Status.INVESTIGATING: "Support is investigating: {title}",
    Status.IN_PROGRESS: "Support is working on it: {title}",
    Status.WAITING_ON_CUSTOMER: "Support needs your answer to go on: {title}",
    Status.RESOLVED: "Confirm the fix, or reopen it if the problem is still there: {title}",
    Status.CLOSED: "This ticket is closed: {title}",
}


class Triage(NamedTuple):
    members: list[User]
    lead: User | None


def triage() -> Triage:
    """The team marked as triaging new tickets; with none, the managers stand in, so a ticket
    nobody owns always reaches a person."""
    team = (
        Team.objects.filter(is_triage=True)
        .select_related("lead")
        .prefetch_related("members")
        .first()
    )
    if team is None:
        managers = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk")
        return Triage(list(managers), None)
    members = [u for u in team.members.all() if u.is_active]
    lead = team.lead if team.lead and team.lead.is_active else None
    return Triage(members, lead)


def owners(
    ticket: Ticket, *, with_lead: bool, triage_of: Callable[[], Triage] = triage
) -> list[User]:
    """Who answers for the ticket: its assignee, else its team's members (else its lead), else
    the triage team with its lead. `with_lead` adds the team's lead. Only people who may see
    the ticket."""
    people: list[User] = []
    if ticket.assignee and ticket.assignee.is_active:
        people.append(ticket.assignee)
    elif ticket.team:
        people.extend(u for u in ticket.team.members.all() if u.is_active)
    lead = ticket.team.lead if ticket.team else None
    if (with_lead or not people) and lead and lead.is_active and lead not in people:
        people.append(lead)  # a team with no active member still has its lead
    if not people:  # nobody owns it: the triage team does
        found = triage_of()
        people = [*found.members]
        if found.lead and found.lead not in people:
            people.append(found.lead)
    return _who_may_see(ticket, people)


def _who_may_see(ticket: Ticket, people: list[User]) -> list[User]:
    # Any active agent may see an ordinary ticket; only security tickets need the policy's query.
    people = [u for u in people if u.is_active and u.is_agent_side]
    if not ticket.is_security or not people:
        return people
    allowed = set(
        users_who_can_see(ticket, User.objects.filter(pk__in=[u.pk for u in people])).values_list(
            "pk", flat=True
        )
    )
    return [u for u in people if u.pk in allowed]


def _notice(
    user: User,
    kind: str,
    ticket: Ticket,
    title: str,
    body: str,
    key: str,
    refs: dict | None = None,
) -> outbox.Notice:
    # Customers follow their tickets on the portal; agents on the ticket page.
    if user.is_customer:
        url = reverse("portal_ticket", args=[ticket.key])
    else:
        url = ticket.get_absolute_url()
    return outbox.Notice(user, title, body, url, f"{key}:{user.pk}", kind, ticket.pk, refs)


def _summary(ticket: Ticket) -> str:
    return f"{ticket.organization.name} · P{ticket.severity} {Severity(ticket.severity).label}"


def _latest_event(ticket: Ticket, kind: str, actor_id: int, **after) -> dict | None:
    """The timeline event behind the signal being handled (the latest of this kind, by this
    actor, to this value). It names the occurrence: a second assignment to the same person is
    told again, the same one handled twice is not."""
    return (
        TicketEvent.objects.filter(ticket=ticket, kind=kind, actor_id=actor_id, **after)
        .order_by("-id")
        .values("id", "created_at")
        .first()
    )


def _ticket(ticket_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("organization", "requester", "assignee", "team__lead")
        .prefetch_related("team__members")
        .filter(pk=ticket_id)
        .first()
    )


def _assigned(ticket: Ticket, assignee: User, key: str) -> list[outbox.Notice]:
    if not _who_may_see(ticket, [assignee]):
        return []
    title = f"{ticket.key} is assigned to you"
    body = f"{_summary(ticket)} · {ticket.title}"
    return [_notice(assignee, ASSIGNED, ticket, title, body, key)]


def notices_for_created(ticket: Ticket, actor_id: int) -> list[outbox.Notice]:
    if ticket.assignee:
        if ticket.assignee_id == actor_id:
            return []
        return _assigned(ticket, ticket.assignee, f"ticket:{ticket.pk}:created:assigned")
    title = f"New ticket {ticket.key}: {ticket.title}"
    body = f"{_summary(ticket)} · nobody has taken it yet"
    key = f"ticket:{ticket.pk}:created"
    return [
        _notice(user, NEW_TICKET, ticket, title, body, key)
        for user in owners(ticket, with_lead=True)
        if user.pk != actor_id
    ]


def notices_for_changed(ticket: Ticket, actor_id: int, changes: dict) -> list[outbox.Notice]:
    after = changes.get("assignee", (None, None))[1]
    if not after or after["id"] == actor_id or ticket.assignee_id != after["id"]:
        return []  # unassigned, self-assigned, or already assigned to someone else again
    event = _latest_event(ticket, EventKind.ASSIGNED, actor_id, after__id=after["id"])
    if event is None:
        return []
    return _assigned(ticket, ticket.assignee, f"ticket:{ticket.pk}:assigned:{event['id']}")


def _requester(ticket: Ticket, actor_id: int) -> User | None:
    """The customer who asked, when someone else acted and they may still see the ticket."""
    requester = ticket.requester
    if requester is None or requester.pk == actor_id or not requester.is_customer:
        return None
    if not users_who_can_see(ticket, User.objects.filter(pk=requester.pk)).exists():
        return None
    return requester


def notices_for_status(ticket: Ticket, actor_id: int, after: str) -> list[outbox.Notice]:
    customer = _requester(ticket, actor_id)
    if customer is None or after not in _CUSTOMER_STATUS_BODY:
        return []
    event = _latest_event(ticket, EventKind.STATUS, actor_id, after=after)
    if event is None:
        return []
    title = f"{ticket.key} is now {customer_status_label(after).lower()}"
    # A move made with a message (waiting on you: the question) is one notice that carries it.
    message = (
        Comment.objects.filter(
            ticket=ticket, author_id=actor_id, is_internal=False, created_at=event["created_at"]
        )
        .values("pk", "body")
        .first()
    )
    if message:
        body = _excerpt(message["body"])
    else:
        body = _CUSTOMER_STATUS_BODY[after].format(title=ticket.title)
    key = f"ticket:{ticket.pk}:status:{event['id']}"
    # The customer's email draws the move (and the message that came with it) from these.
    refs = {"status": after, "event_id": event["id"], "comment_id": message and message["pk"]}
    return [_notice(customer, STATUS, ticket, title, body, key, refs)]


def _moved_with(comment: Comment) -> bool:
    """Whether this reply was the message of a status move (told with the move)."""
    return TicketEvent.objects.filter(
        ticket_id=comment.ticket_id,
        kind=EventKind.STATUS,
        actor_id=comment.author_id,
        created_at=comment.created_at,
    ).exists()


def _excerpt(body: str) -> str:
    return body if len(body) <= 300 else body[:299] + "…"


def mentioned_usernames(body: str) -> list[str]:
    names: list[str] = []
    for name in MENTION_RE.findall(body):
        if name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


def notices_for_comment(comment: Comment) -> list[outbox.Notice]:
    ticket, author = comment.ticket, comment.author
    if author is None:
        return []
    excerpt = _excerpt(comment.body)
    key = f"comment:{comment.pk}"
    if not author.is_agent_side:
        if comment.is_internal:
            return []
        title = f"{author.display_name} replied on {ticket.key}"
        return [
            _notice(user, CUSTOMER_REPLY, ticket, title, excerpt, f"{key}:{CUSTOMER_REPLY}")
            for user in owners(ticket, with_lead=False)
            if user.pk != author.pk
        ]
    notices = []
    names = mentioned_usernames(comment.body)
    if names:
        colleagues = users_who_can_see(
            ticket, User.objects.filter(username__in=names, role__in=AGENT_SIDE_ROLES)
        ).exclude(pk=author.pk)
        where = "a note" if comment.is_internal else "a reply"
        title = f"{author.display_name} mentioned you in {where} on {ticket.key}"
        notices += [
            _notice(user, MENTION, ticket, title, excerpt, f"{key}:{MENTION}")
            for user in colleagues.order_by("pk")
        ]
    customer = None if comment.is_internal else _requester(ticket, author.pk)
    if customer is not None and not _moved_with(comment):
        title = f"Support replied on {ticket.key}"
        notices.append(
            _notice(
                customer,
                AGENT_REPLY,
                ticket,
                title,
                excerpt,
                f"{key}:{AGENT_REPLY}",
                {"comment_id": comment.pk},
            )
        )
    return notices


def _deliver(build: Callable[[], Iterable[outbox.Notice]], what: str) -> None:
    try:
        with transaction.atomic():
            notices = list(build())
            if notices:
                outbox.send(notices=notices, now=clock.now())
    except Exception:  # the ticket change is committed; a lost notice must not fail the request
        log.exception("notifying of %s failed", what)


def on_ticket_created(sender, *, ticket_id: int, actor_id: int, **kwargs) -> None:
    def build():
        ticket = _ticket(ticket_id)
        return notices_for_created(ticket, actor_id) if ticket else []

    _deliver(build, f"ticket {ticket_id} created")


def on_ticket_changed(sender, *, ticket_id: int, actor_id: int, changes: dict, **kwargs) -> None:
    if "assignee" not in changes:
        return

    def build():
        ticket = _ticket(ticket_id)
        return notices_for_changed(ticket, actor_id, changes) if ticket else []

    _deliver(build, f"ticket {ticket_id} changed")


def on_status_changed(sender, *, ticket_id: int, actor_id: int, after: str, **kwargs) -> None:
    def build():
        ticket = _ticket(ticket_id)
        return notices_for_status(ticket, actor_id, after) if ticket else []

    _deliver(build, f"ticket {ticket_id} status")


def on_comment_added(sender, *, comment_id: int, **kwargs) -> None:
    def build():
        comment = (
            Comment.objects.select_related(
                "author",
                "ticket__organization",
                "ticket__requester",
                "ticket__assignee",
                "ticket__team__lead",
            )
            .prefetch_related("ticket__team__members")
            .filter(pk=comment_id)
            .first()
        )
        return notices_for_comment(comment) if comment else []

    _deliver(build, f"comment {comment_id}")


def visible_notifications(user: User, qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """A notice about a ticket stays in the bell only while its user may see that ticket."""
    if user.is_agent_side and has_security_clearance(user):
        return qs  # they see every ticket
    # EXISTS, probed per notice through the primary key: `ticket_id IN (visible tickets)` under
    # an OR becomes a hashed subplan that reads every visible ticket (5 s at 1M tickets), on
    # every page that shows the bell.
    visible = tickets_visible_to(user).filter(pk=OuterRef("ticket_id"))
    return qs.filter(Q(ticket_id__isnull=True) | Exists(visible))


def connect() -> None:
    for kind in KINDS:
        notifications.register_kind(kind)
    notifications.register_visibility(visible_notifications)
    for signal, receiver in (
        (events.ticket_created, on_ticket_created),
        (events.ticket_changed, on_ticket_changed),
        (events.ticket_status_changed, on_status_changed),
        (events.comment_added, on_comment_added),
    ):
        signal.connect(receiver, dispatch_uid=f"notifications-{receiver.__name__}")
