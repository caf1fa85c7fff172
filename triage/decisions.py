"""An agent's decision on a suggestion: accept it, override it with another value, or dismiss it.

Accepting or overriding a classification changes the ticket through tickets.services, so the
timeline and the SLA follow (a severity change re-applies the policy). Suggestions that end in a
reply (information request, close-as, known issue) never send anything by themselves: the
decision hands the filled template to the composer, and the agent sends it (decisions: Triage).
Every decision is kept on the suggestion: what, by whom, when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User
from kb import selectors as kb_selectors
from kb import services as kb_services
from kb.services.known_issues import known_issue_reply
from tickets import services as ticket_services
from tickets.choices import Category, Environment, IssueType, Status
from tickets.models import Ticket
from tickets.selectors import ticket_number_from_key

from . import incidents
from .models import Decision, Kind, Suggestion

SEVERITIES = ("P1", "P2", "P3", "P4")
# What an agent may put in place of a suggested value, per kind.
VOCABULARY: dict[str, tuple[str, ...]] = {
    Kind.SEVERITY: SEVERITIES,
    Kind.CATEGORY: tuple(Category.values),
    Kind.ISSUE_TYPE: tuple(IssueType.values),
    Kind.ENVIRONMENT: tuple(Environment.values),
    Kind.SECURITY: ("security", "not_security"),
    Kind.CLOSE_AS: ("config_error", "expected_behaviour"),
    Kind.ESCALATION: ("always", "discretion", "no"),
}
# The ticket's own value for a kind of classification, to compare with what triage suggested.
_CURRENT = {
    Kind.SEVERITY: lambda t: f"P{t.severity}",
    Kind.CATEGORY: lambda t: t.category,
    Kind.ISSUE_TYPE: lambda t: t.issue_type,
    Kind.ENVIRONMENT: lambda t: t.environment,
    Kind.SECURITY: lambda t: "security" if t.is_security else "not_security",
}
_FIELD = {Kind.CATEGORY: "category", Kind.ISSUE_TYPE: "issue_type", Kind.ENVIRONMENT: "environment"}


@dataclass(frozen=True)
class Outcome:
    suggestion: Suggestion
    # Text for the composer (a reply the agent reviews and sends) and the status it proposes.
    compose: str = ""
    compose_status: str = ""
    message: str = ""


def current_value(kind: str, ticket: Ticket) -> str | None:
    current = _CURRENT.get(kind)
    return current(ticket) if current else None


def _claim(suggestion: Suggestion, actor: User) -> Suggestion:
    if not actor.is_agent_side:
        raise Forbidden("Only agents decide on triage suggestions.")
    locked = Suggestion.objects.select_for_update().select_related("ticket").get(pk=suggestion.pk)
    if locked.decision != Decision.PENDING:
        who = locked.decided_by.display_name if locked.decided_by else "someone"
        raise DomainError(
            f"This suggestion was already {locked.get_decision_display().lower()} by {who}.",
            code="already_decided",
        )
    return locked


def _record(s: Suggestion, *, decision: str, value: str, actor: User, now: datetime) -> None:
    s.decision = decision
    s.decided_value = value
    s.decided_by = actor
    s.decided_at = now
    s.save(update_fields=["decision", "decided_value", "decided_by", "decided_at"])


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, actor: User, now: datetime) -> Outcome:
    s = _claim(suggestion, actor)
    outcome = _apply(s, value=s.value, actor=actor, now=now)
    _record(s, decision=Decision.ACCEPTED, value=s.value, actor=actor, now=now)
    return outcome


@transaction.atomic
def suggestion_override(
    *, suggestion: Suggestion, actor: User, value: str, now: datetime
) -> Outcome:
    s = _claim(suggestion, actor)
    allowed = VOCABULARY.get(s.kind)
    if allowed is None:
        raise DomainError(f"A {s.get_kind_display().lower()} suggestion can only be dismissed.")
    if value not in allowed:
        raise DomainError(
            f"“{value}” is not one of {', '.join(allowed)}.", field="value", code="invalid_value"
        )
    if value == s.value:
        raise DomainError("That is the suggested value: accept it instead.", field="value")
    outcome = _apply(s, value=value, actor=actor, now=now)
    _record(s, decision=Decision.OVERRIDDEN, value=value, actor=actor, now=now)
    return outcome


@transaction.atomic
def suggestion_dismiss(*, suggestion: Suggestion, actor: User, now: datetime) -> Outcome:
    s = _claim(suggestion, actor)
    _record(s, decision=Decision.DISMISSED, value="", actor=actor, now=now)
    return Outcome(suggestion=s)


def _apply(s: Suggestion, *, value: str, actor: User, now: datetime) -> Outcome:
    ticket = s.ticket
    if s.kind == Kind.SEVERITY:
        _update(ticket, actor, now, severity=SEVERITIES.index(value) + 1)
    elif s.kind in _FIELD:
        _update(ticket, actor, now, **{_FIELD[s.kind]: value})
    elif s.kind == Kind.SECURITY:
        if value == "security":
            _update(ticket, actor, now, is_security=True)
    elif s.kind == Kind.NEEDS_INFO:
        return Outcome(
            suggestion=s,
            compose=s.details.get("template", ""),
            compose_status=Status.WAITING_ON_CUSTOMER,
        )
    elif s.kind == Kind.CLOSE_AS:
        return Outcome(
            suggestion=s, compose=s.details.get("template", ""), compose_status=Status.RESOLVED
        )
    elif s.kind == Kind.KNOWN_ISSUE:
        issue = kb_selectors.known_issue_get_for_user(actor, value)
        kb_services.known_issue_link_ticket(issue=issue, ticket=ticket, actor=actor, now=now)
        reply = known_issue_reply(issue=issue, ticket=ticket, agent=actor)
        return Outcome(suggestion=s, compose=reply, compose_status=Status.RESOLVED)
    elif s.kind == Kind.DUPLICATE:
        original = _ticket_by_key(value, organization_id=ticket.organization_id)
        _update(ticket, actor, now, duplicate_of=original)
    elif s.kind == Kind.INCIDENT:
        if value == "declare":
            parent = incidents.incident_declare(
                reports=_reports(s), label=s.details.get("label", ""),
                signature_key=s.details.get("signature_key", ""), actor=actor, now=now,
            )  # fmt: skip
            return Outcome(suggestion=s, message=f"Incident {parent.key} declared.")
        parent = Ticket.objects.get(pk=s.details["parent_id"])
        _update(ticket, actor, now, parent=parent)
    # An escalation recommendation is recorded; the escalation itself is the escalation
    # panel's (triage does not page anyone).
    return Outcome(suggestion=s)


def _update(ticket: Ticket, actor: User, now: datetime, **changes) -> None:
    ticket_services.ticket_update(ticket=ticket, actor=actor, changes=changes, now=now)


def _ticket_by_key(key: str, *, organization_id: int) -> Ticket:
    number = ticket_number_from_key(key)
    ticket = Ticket.objects.filter(number=number, organization_id=organization_id).first()
    if number is None or ticket is None:
        raise DomainError(f"{key} is not a ticket of this organization.", field="value")
    return ticket


def _reports(s: Suggestion) -> list[Ticket]:
    ids = [s.ticket_id, *s.details.get("ticket_ids", [])]
    return list(Ticket.objects.filter(pk__in=ids).order_by("created_at", "pk"))
