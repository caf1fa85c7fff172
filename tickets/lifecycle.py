"""The status lifecycle: every allowed transition, in one place.

Reopening is a transition like any other (resolved -> investigating). Closed is final: a customer
with a new problem opens a new ticket, which may link to the old one.
"""

from __future__ import annotations

from .choices import Status

S = Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.INVESTIGATING, S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.INVESTIGATING: frozenset({S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.INVESTIGATING, S.WAITING_ON_CUSTOMER, S.RESOLVED}),
    S.WAITING_ON_CUSTOMER: frozenset({S.INVESTIGATING, S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.INVESTIGATING}),
    S.CLOSED: frozenset(),
}

# What a customer may do on the portal: confirm a resolution, or reopen it.
CUSTOMER_TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {(S.RESOLVED, S.CLOSED), (S.RESOLVED, S.INVESTIGATING)}
)

REOPEN = (S.RESOLVED, S.INVESTIGATING)


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def is_allowed(current: str, target: str) -> bool:
    return target in allowed_targets(current)


def refusal_message(current: str, target: str) -> str:
    if current == target:
        return f"The ticket is already {Status(current).label.lower()}."
    allowed = sorted(Status(t).label.lower() for t in allowed_targets(current))
    options = ", ".join(allowed) if allowed else "nothing: a closed ticket is final"
    return (
        f"Cannot move a ticket from “{Status(current).label}” to “{Status(target).label}”. "
        f"From “{Status(current).label}” it can move to: {options}."
    )
