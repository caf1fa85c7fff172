"""The security flag: who may raise it and who keeps the ticket afterwards.

The playbook wants security reports escalated, never held back, so anyone on the agent side may
flag a ticket. A flagged ticket is seen only by the security team (and admins) and by its assignee
(tickets.selectors). An agent outside the team who flags a ticket therefore becomes its assignee
and keeps it, with its timeline and replies, until the security team takes it by assigning one
of its own. Naming another assignee in the same request hands the ticket to them instead. The
forms and the API say so before the box is ticked.
"""

from __future__ import annotations

from helpdesk.models import User

from .models import Team, Ticket
from .selectors import has_security_clearance

SECURITY_FLAG_HELP = (
    "Sends the ticket to the Security team; only that team sees security tickets. If you are not "
    "in it, you become the assignee and keep the ticket until the team takes it. Never ask for "
    "details by email."
)


def security_team() -> Team | None:
    return Team.objects.filter(is_security=True).order_by("pk").first()


def assignee_after_flagging(*, actor: User, assignee: User | None, named: bool) -> User | None:
    """Who is assigned to a ticket that `actor` flags as security. `assignee` is who it would
    otherwise have: the one `named` in the same request, or its current assignee.

    An agent outside the security team takes the ticket, so they do not lose what they just
    escalated, unless they hand it to someone by name in the same request or its assignee is
    already someone who sees every security ticket."""
    if not actor.is_agent_side or has_security_clearance(actor):
        return assignee
    if assignee is not None and (named or has_security_clearance(assignee)):
        return assignee
    return actor


def created_message(ticket: Ticket, actor: User) -> str:
    """What the agent who opened `ticket` is told: where a flagged ticket went and whether they
    keep it (the page then shows them the ticket or, when they lost it, the queue)."""
    text = f"Created {ticket.key}."
    if not ticket.is_security:
        return text
    if not actor_keeps_access(ticket, actor):
        return (
            f"{text} It went to the Security team and to {ticket.assignee.display_name}, its "
            "assignee; you no longer see it."
        )
    if has_security_clearance(actor):
        return f"{text} It went to the Security team."
    return (
        f"{text} It went to the Security team; you are its assignee and keep it until the team "
        "takes it."
    )


def actor_keeps_access(ticket: Ticket, actor: User) -> bool:
    """Whether `actor` still sees `ticket` once it is flagged (the rule of tickets.selectors)."""
    return (
        not ticket.is_security
        or has_security_clearance(actor)
        or (ticket.assignee_id is not None and ticket.assignee_id == actor.pk)
    )
