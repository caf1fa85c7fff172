"""An incident and its tickets: resolving the parent offers to resolve its open children, each
with one public reply to that child's customer.

Each child is resolved in its own transaction (through `ticket_transition`, so every rule of the
lifecycle and the SLA applies), and the result says which were resolved and which were refused
and why: one child refusing (closed meanwhile, out of the agent's sight) never holds back the
others, and pressing twice resolves nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User

from .choices import OPEN_STATUSES, Status
from .limits import MAX_COMMENT_CHARS, check_length
from .models import Ticket
from .selectors import tickets_visible_to

# One action resolves at most this many children; an incident bigger than that is resolved in
# several presses, each reporting what it did.
MAX_CHILDREN = 200


@dataclass
class ChildrenResolved:
    resolved: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def open_children(user: User, parent: Ticket):
    return (
        tickets_visible_to(user)
        .filter(parent_id=parent.pk, status__in=OPEN_STATUSES)
        .select_related("organization")
        .order_by("number")
    )


def children_resolve(*, parent: Ticket, actor: User, message: str) -> ChildrenResolved:
    """Resolve the open children of `parent` that `actor` may see, each with `message` as the
    public reply to its customer. Not atomic as a whole, by design: see the module docstring."""
    from .services import ticket_transition  # services imports this module at its end

    if not actor.is_agent_side:
        raise Forbidden("Only agents can resolve an incident's tickets.")
    message = (message or "").strip()
    if not message:
        raise DomainError(
            "Write the reply each customer gets with the resolution.",
            field="message",
            code="required",
        )
    check_length(message, field="message", limit=MAX_COMMENT_CHARS)
    result = ChildrenResolved()
    for child in open_children(actor, parent)[:MAX_CHILDREN]:
        try:
            ticket_transition(ticket=child, to=Status.RESOLVED, actor=actor, message=message)
        except (DomainError, ValidationError) as exc:
            text = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
            result.refused.append((child.key, text))
        else:
            result.resolved.append(child.key)
    return result
