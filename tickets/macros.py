"""Macros: a reply and a set of field changes, applied to a ticket in one click.

Before applying, the agent sees what the macro will change on this ticket ("Sets status: Waiting
on customer; adds tag: billing"), computed against the ticket as it is. Applying writes the field
changes through the ticket services (the conflict guard refuses a field someone changed since the
preview) and hands back the reply for the composer: the agent reviews and sends it. The status of a
macro that writes a reply travels with that reply, preselected in the composer: the customer reads
the answer with the move ("resolved", "waiting on you"), and a ticket may only wait on the customer
once they have been asked. A macro without a reply moves the status at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404

from helpdesk import clock
from helpdesk.errors import DomainError
from helpdesk.models import User

from . import lifecycle, replies
from .choices import EventKind, Severity, Status
from .models import Macro, ReplyTemplate, Ticket, TicketEvent


@dataclass(frozen=True)
class Change:
    field: str
    value: Any
    text: str  # how the preview says it: "sets status: Waiting on customer"


@dataclass
class Applied:
    ticket: Ticket
    reply: str
    is_internal: bool
    status_with_reply: str = ""
    said: list[str] = field(default_factory=list)


def macros_for(user: User) -> QuerySet[Macro]:
    """The active macros an agent may use: the shared ones and their own."""
    if not user.is_agent_side:
        return Macro.objects.none()
    return (
        Macro.objects.filter(is_active=True)
        .filter(Q(owner__isnull=True) | Q(owner=user))
        .select_related("set_team", "set_assignee")
    )


def macro_get_for_user(user: User, pk: int | str) -> Macro:
    """A macro the user may use, or 404 (someone else's personal macro is not there for them)."""
    try:
        return macros_for(user).get(pk=int(pk))
    except (Macro.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def planned_changes(macro: Macro, ticket: Ticket) -> list[Change]:
    """What applying the macro would change on the ticket as it is now, in the preview's words.
    Values the ticket already holds are left out."""
    changes: list[Change] = []
    if macro.set_status and macro.set_status != ticket.status:
        label = Status(macro.set_status).label
        when = " with the reply" if macro.body.strip() else ""
        changes.append(Change("status", macro.set_status, f"sets status{when}: {label}"))
    if macro.set_severity and macro.set_severity != ticket.severity:
        label = f"P{macro.set_severity} {Severity(macro.set_severity).label}"
        changes.append(Change("severity", macro.set_severity, f"sets severity: {label}"))
    if macro.set_team_id and macro.set_team_id != ticket.team_id:
        changes.append(Change("team", macro.set_team, f"sets team: {macro.set_team.name}"))
    if macro.set_assignee_id and macro.set_assignee_id != ticket.assignee_id:
        name = macro.set_assignee.display_name
        changes.append(Change("assignee", macro.set_assignee, f"assigns to: {name}"))
    new_tags = [t for t in macro.add_tags if t not in ticket.tags]
    if new_tags:
        noun = "tag" if len(new_tags) == 1 else "tags"
        changes.append(
            Change("tags", [*ticket.tags, *new_tags], f"adds {noun}: {', '.join(new_tags)}")
        )
    return changes


def describe(macro: Macro, ticket: Ticket) -> str:
    """One sentence for the preview: "Sets status: Waiting on customer; adds tag: billing"."""
    parts = [c.text for c in planned_changes(macro, ticket)]
    if macro.body.strip():
        parts.append("writes an internal note" if macro.is_internal else "writes a reply")
    if not parts:
        return "Changes nothing on this ticket."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]


@transaction.atomic
def macro_apply(
    *,
    ticket: Ticket,
    macro: Macro,
    actor: User,
    expected: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Applied:
    """Apply the macro's field changes and return its reply for the composer.

    `expected` holds what the preview showed for the fields it changes; a field someone changed
    since raises `conflicts.StaleChange` and nothing is written (the status included). The
    timeline records the macro by name in the same transaction; its use is counted."""
    from . import services  # services imports this module at its end

    if not actor.is_agent_side or (macro.owner_id and macro.owner_id != actor.pk):
        raise DomainError("This macro is not yours to use.", code="macro_not_offered")
    if not macro.is_active:
        raise DomainError(f"The macro “{macro.name}” is switched off.", code="macro_inactive")
    now = now or clock.now()
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("team").get(pk=ticket.pk)
    changes = planned_changes(macro, ticket)
    status = next((c.value for c in changes if c.field == "status"), "")
    if expected and "status" in expected and status and expected["status"] != ticket.status:
        raise DomainError(
            f"The status changed to {Status(ticket.status).label} after you opened the macro; "
            "reload the ticket and apply it again.",
            field="status",
            code="stale_change",
        )
    if status and not lifecycle.is_allowed(ticket.status, status):
        raise DomainError(
            lifecycle.refusal_message(ticket.status, status), field="status", code="illegal"
        )
    fields = {c.field: c.value for c in changes if c.field != "status"}
    if fields:
        guard = {k: v for k, v in (expected or {}).items() if k in fields}
        ticket = services.ticket_update(
            ticket=ticket, actor=actor, changes=fields, expected=guard, now=now
        )
    with_reply = status if macro.body.strip() else ""
    if status and not with_reply:
        ticket = services.ticket_transition(ticket=ticket, to=status, actor=actor, now=now)
    said = [c.text for c in changes if c.field != "status" or not with_reply]
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=EventKind.FIELD,
        field="macro",
        after={
            "macro": macro.pk,
            "name": macro.name,
            "summary": f"applied the macro “{macro.name}”"
            + (f": {'; '.join(said)}" if said else ""),
        },
        is_internal=True,
        created_at=now,
    )
    Macro.objects.filter(pk=macro.pk).update(use_count=F("use_count") + 1, last_used_at=now)
    reply = ""
    if macro.body.strip():
        template = ReplyTemplate(slug=f"macro-{macro.pk}", body=macro.body)
        reply = replies.render_reply(template, ticket=ticket, agent=actor)
    return Applied(
        ticket=ticket,
        reply=reply,
        is_internal=macro.is_internal,
        status_with_reply=with_reply,
        said=said,
    )
