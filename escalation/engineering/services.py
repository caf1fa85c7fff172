"""Writes of engineering and tier escalations. Each is atomic, locks what it changes, writes its
timeline entry through `tickets.services` and its webhook to the outbox in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from escalation.engineering.markdown import bug_report_markdown
from escalation.models import EngineeringEscalation, EscalationState, TierEscalation
from helpdesk import outbox
from helpdesk.errors import Conflict, DomainError, Forbidden
from helpdesk.models import Role, User
from tickets.choices import OPEN_STATUSES
from tickets.models import AgentProfile, Ticket
from tickets.services import (
    sla_resolution_fulfil_by_commitment,
    ticket_assign,
    ticket_record_escalation_step,
)

REPORT_FIELDS = (
    "title",
    "severity",
    "affected_customers",
    "affected_users",
    "business_impact",
    "workaround_available",
    "workaround_description",
    "reproduction_steps",
    "expected_behavior",
    "actual_behavior",
    "environment",
    "version",
    "error_messages",
    "log_snippets",
    "affected_endpoints",
    "root_cause_hypothesis",
    "suggested_fix",
    "priority_justification",
)
# The playbook: P1 and P2 go to engineering without waiting for more information; a P3 or P4
# goes once support has investigated, with the steps, the behaviour and the version.
REQUIRED_ALWAYS = ("title", "severity", "affected_customers", "business_impact")
REQUIRED_BELOW_P2 = ("reproduction_steps", "expected_behavior", "actual_behavior", "version")
DECIDERS = frozenset({Role.ENGINEER, Role.MANAGER, Role.ADMIN})


def required_fields(ticket: Ticket) -> tuple[str, ...]:
    if ticket.severity <= 2:
        return REQUIRED_ALWAYS
    return REQUIRED_ALWAYS + REQUIRED_BELOW_P2


def can_decide(user: User) -> bool:
    return user.role in DECIDERS


def _lock_ticket(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("organization", "assignee")
        .get(pk=ticket.pk)
    )


def _webhook(escalation: EngineeringEscalation, name: str, text: str, now: datetime) -> None:
    """The report for external trackers, through the outbox's signed webhooks."""
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    data = {f: getattr(escalation, f) for f in REPORT_FIELDS}
    data.update(
        id=escalation.pk,
        ticket=escalation.ticket.key,
        ticket_url=f"{base}{escalation.ticket.get_absolute_url()}",
        state=escalation.state,
        committed_date=escalation.committed_date.isoformat() if escalation.committed_date else None,
        decision_note=escalation.decision_note,
        markdown=bug_report_markdown(escalation),
    )
    outbox.send(
        events=[outbox.Event(name, text, f"engineering:{escalation.pk}:{name}", data)], now=now
    )


@transaction.atomic
def engineering_escalate(
    *, ticket: Ticket, actor: User, report: dict[str, Any], now: datetime
) -> EngineeringEscalation:
    """Send a bug report to engineering. Refused while another report of the ticket waits."""
    if not actor.is_agent_side:
        raise Forbidden("Only the support team escalates to engineering.")
    ticket = _lock_ticket(ticket)
    if ticket.status not in OPEN_STATUSES:
        raise DomainError("Only an open ticket can be escalated.", code="ticket_closed")
    unknown = set(report) - set(REPORT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    values = {f: v.strip() if isinstance(v, str) else v for f, v in report.items()}
    for field in required_fields(ticket):
        if values.get(field) in (None, ""):
            raise DomainError(
                f"The bug report needs its {field.replace('_', ' ')} "
                f"(P{ticket.severity} tickets are escalated once investigated).",
                field=field,
                code="investigation_required",
            )
    escalation = EngineeringEscalation(ticket=ticket, sent_by=actor, sent_at=now, **values)
    try:
        escalation.full_clean(exclude=["ticket", "sent_by"], validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc
    try:
        with transaction.atomic():
            escalation.save()
    except IntegrityError as exc:
        raise Conflict(
            "A bug report of this ticket is already waiting for engineering.",
            code="already_escalated",
        ) from exc
    ticket_record_escalation_step(
        ticket_id=ticket.pk,
        actor=actor,
        now=now,
        summary=f"escalated to engineering: “{escalation.title}” "
        f"({escalation.get_severity_display().lower()})",
        data={"engineering_escalation": escalation.pk},
    )
    _webhook(
        escalation,
        "engineering_escalation.created",
        f"🐞 Escalated to engineering: {ticket.key} {escalation.title}",
        now,
    )
    return escalation


def _lock(escalation: EngineeringEscalation) -> EngineeringEscalation:
    return (
        EngineeringEscalation.objects.select_for_update(of=("self",))
        .select_related("ticket__organization")
        .get(pk=escalation.pk)
    )


def _check_decider(escalation: EngineeringEscalation, actor: User) -> None:
    if not can_decide(actor):
        raise Forbidden("Engineers and managers accept or reject escalations.")
    if escalation.state != EscalationState.PENDING:
        raise Conflict(
            f"This escalation was already {escalation.get_state_display().lower()}.",
            code="already_decided",
        )


@transaction.atomic
def engineering_accept(
    *,
    escalation: EngineeringEscalation,
    actor: User,
    committed_date: date | None,
    note: str = "",
    now: datetime,
) -> EngineeringEscalation:
    """Engineering takes the bug with a date for the fix. That is the playbook's "root cause
    identified with timeline": it fulfils the ticket's resolution target. The customer hears of
    the date only from a reply the agent writes."""
    escalation = _lock(escalation)
    _check_decider(escalation, actor)
    if committed_date is None:
        raise DomainError(
            "Accepting needs the date engineering commits to.", field="committed_date"
        )
    if committed_date < now.date():
        raise DomainError(
            "The committed date is in the past.", field="committed_date", code="date_in_past"
        )
    escalation.state = EscalationState.ACCEPTED
    escalation.committed_date = committed_date
    escalation.decision_note = (note or "").strip()
    escalation.decided_by, escalation.decided_at = actor, now
    escalation.save(
        update_fields=["state", "committed_date", "decision_note", "decided_by", "decided_at"]
    )
    ticket = escalation.ticket
    ticket_record_escalation_step(
        ticket_id=ticket.pk,
        actor=actor,
        now=now,
        summary=f"engineering accepted the bug report; fix committed for {committed_date:%Y-%m-%d}",
        data={"engineering_escalation": escalation.pk, "committed_date": str(committed_date)},
    )
    sla_resolution_fulfil_by_commitment(
        ticket=ticket,
        at=now,
        reason=f"Root cause identified: engineering committed to a fix by "
        f"{committed_date:%Y-%m-%d} (engineering escalation {escalation.pk}).",
        actor=actor,
    )
    _webhook(
        escalation,
        "engineering_escalation.accepted",
        f"✅ Engineering accepted {ticket.key}: fix by {committed_date:%Y-%m-%d}",
        now,
    )
    return escalation


@transaction.atomic
def engineering_reject(
    *, escalation: EngineeringEscalation, actor: User, reason: str, now: datetime
) -> EngineeringEscalation:
    """Engineering sends the report back to support, saying why (the playbook measures how many
    are rejected)."""
    escalation = _lock(escalation)
    _check_decider(escalation, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the escalation is rejected.", field="reason", code="required")
    escalation.state = EscalationState.REJECTED
    escalation.decision_note = reason
    escalation.decided_by, escalation.decided_at = actor, now
    escalation.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
    ticket_record_escalation_step(
        ticket_id=escalation.ticket_id,
        actor=actor,
        now=now,
        summary=f"engineering rejected the bug report: {reason}",
        data={"engineering_escalation": escalation.pk},
    )
    _webhook(
        escalation,
        "engineering_escalation.rejected",
        f"↩️ Engineering rejected {escalation.ticket.key}: {reason}",
        now,
    )
    return escalation


def tier_of(user: User | None) -> int:
    """The support tier of an agent; a ticket nobody holds is at tier 1."""
    if user is None:
        return 1
    profile = AgentProfile.objects.filter(user=user).values_list("support_tier", flat=True)
    return next(iter(profile), 1)


@transaction.atomic
def tier_escalate(
    *, ticket: Ticket, to_tier: int, assignee: User | None, reason: str, actor: User, now: datetime
) -> TierEscalation:
    """Hand the ticket up a tier: reassign it to an agent of that tier (or to nobody, for the
    tier to pick up), saying why."""
    if not actor.is_agent_side:
        raise Forbidden("Only the support team escalates tickets.")
    ticket = _lock_ticket(ticket)
    if ticket.status not in OPEN_STATUSES:
        raise DomainError("Only an open ticket can be escalated.", code="ticket_closed")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the ticket goes up a tier.", field="reason", code="required")
    current = tier_of(ticket.assignee)
    if to_tier not in (2, 3) or to_tier <= current:
        raise DomainError(
            f"The ticket is at tier {current}: it can go up to "
            + (" or ".join(f"tier {t}" for t in range(current + 1, 4)) or "no higher tier")
            + ".",
            field="to_tier",
        )
    if assignee is not None and tier_of(assignee) != to_tier:
        raise DomainError(
            f"{assignee.display_name} is not a tier {to_tier} agent.", field="assignee"
        )
    before = ticket.assignee
    record = TierEscalation.objects.create(
        ticket=ticket,
        from_tier=current,
        to_tier=to_tier,
        from_assignee=before,
        to_assignee=assignee,
        reason=reason,
        actor=actor,
        created_at=now,
    )
    ticket_record_escalation_step(
        ticket_id=ticket.pk,
        actor=actor,
        now=now,
        summary=f"escalated from tier {current} to tier {to_tier}"
        + (f" ({assignee.display_name})" if assignee else "")
        + f": {reason}",
        data={"tier_escalation": record.pk, "from_tier": current, "to_tier": to_tier},
    )
    if assignee != before:
        ticket_assign(ticket=ticket, assignee=assignee, actor=actor, now=now)
    return record
