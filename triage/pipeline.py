"""One triage of one ticket: the playbook's rules, then the database matchers, stored as
suggestions with their reasons. Nothing on the ticket changes here; agents decide
(triage/decisions.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from tickets.choices import Tier
from tickets.models import Ticket

from . import matching
from .models import Decision, Kind, RunStatus, Suggestion, TriageRun, Trigger
from .rules import RULES_VERSION, Analysis, analyse

_REFUND = re.compile(r"\b(refund|reimburse|compensat|credit note|service credit)", re.I)
# The ticket's own technical fields are part of what the customer told us.
_CONTEXT_FIELDS = ("error_message", "affected_endpoint", "request_id", "product_version")


@dataclass(frozen=True)
class TriageResult:
    severity: str
    category: str
    issue_type: str
    environment: str
    security: bool
    needs_info: tuple[str, ...]
    close_as: str | None
    known_issue: str | None
    duplicate_of: tuple[int, ...]
    incident_group: str | None
    escalate: str
    reasons: dict[str, list[str]] = field(default_factory=dict)
    run_id: int | None = None


def ticket_text(ticket: Ticket) -> str:
    extra = [str(getattr(ticket, name)) for name in _CONTEXT_FIELDS if getattr(ticket, name)]
    return "\n".join([ticket.description or "", *extra])


def review_reasons(ticket: Ticket, *, severity: str, security: bool, text: str) -> list[str]:
    """Why the playbook wants a person to decide on this ticket ("Required Human Review")."""
    reasons = []
    if severity in ("P1", "P2") or ticket.severity in (1, 2):
        reasons.append("P1/P2 ticket")
    if security or ticket.is_security:
        reasons.append("security report")
    if ticket.organization.tier == Tier.ENTERPRISE:
        reasons.append("enterprise customer")
    if _REFUND.search(f"{ticket.title}\n{text}"):
        reasons.append("refund or compensation discussed")
    return reasons


@transaction.atomic
def triage_ticket(
    ticket: Ticket,
    *,
    now: datetime,
    run: TriageRun | None = None,
    trigger: str = Trigger.MANUAL,
    analysis: Analysis | None = None,
) -> TriageResult:
    """Run every check on the ticket and store the suggestions (superseding the ticket's
    undecided ones). `run` is the pending work row being completed, if any; `analysis` replaces
    the rules' reading of the text (the matchers are then checked on their own)."""
    ticket = Ticket.objects.select_related("organization").get(pk=ticket.pk)
    text = ticket_text(ticket)
    if analysis is None:
        analysis = analyse(
            title=ticket.title,
            description=text,
            tier=ticket.organization.tier,
            channel=ticket.channel,
        )
    signature = matching.Signature.of(analysis.signature)
    reasons: dict[str, list[str]] = {k: list(v) for k, v in (analysis.reasons or {}).items()}

    known = None if analysis.security else matching.known_issue_for(text=f"{ticket.title}\n{text}")
    duplicates = matching.duplicates_for(ticket=ticket, signature=signature, text=text)
    incident = matching.incident_for(ticket=ticket, signature=signature)

    close_as = analysis.close_as
    if known is not None and not analysis.security:
        close_as = "known_issue"
        reasons["known_issue"] = [
            f"Known issue {known.external_id} lists the error this ticket quotes: "
            + "; ".join(f"“{m}”" for m in known.matched)
        ]
        reasons.setdefault("close_as", []).append(
            f"Close as known issue {known.external_id} with its workaround."
        )
    needs_info = tuple(analysis.needs_info)
    if analysis.security and needs_info:
        # The playbook: no details requested over unencrypted channels.
        reasons.setdefault("needs_info", []).append(
            "Not asked: security reports are never asked for details by email (playbook)."
        )
        needs_info = ()
    if incident is not None and needs_info:
        # The playbook: don't troubleshoot during an active incident.
        reasons.setdefault("needs_info", []).append(
            "Not asked: the ticket is part of an incident (DESIGN.md 7)."
        )
        needs_info = ()
    if duplicates:
        reasons["duplicate"] = [f"{d.key} “{d.title}”: " + ", ".join(d.shared) for d in duplicates]
    if incident is not None:
        reasons["incident"] = list(incident.reasons)

    result = TriageResult(
        severity=analysis.severity,
        category=analysis.category,
        issue_type=analysis.issue_type,
        environment=analysis.environment,
        security=bool(analysis.security),
        needs_info=needs_info,
        close_as=None if analysis.security else close_as,
        known_issue=known.external_id if known else None,
        duplicate_of=tuple(d.ticket_id for d in duplicates),
        incident_group=incident.label if incident else None,
        escalate=analysis.escalate,
        reasons=reasons,
    )

    if run is None:
        run = TriageRun(ticket=ticket, trigger=trigger, created_at=now, due_at=now)
    run.status = RunStatus.DONE
    run.rules_version = RULES_VERSION
    run.finished_at = now
    run.error = ""
    run.signature_key = signature.key
    run.signature_message = signature.message
    run.signature_endpoint = signature.endpoint
    run.signature_status = signature.status_code
    run.organization_id = ticket.organization_id
    run.ticket_created_at = ticket.created_at
    run.save()

    Suggestion.objects.filter(ticket=ticket, decision=Decision.PENDING).update(
        decision=Decision.SUPERSEDED, decided_at=now
    )
    review = review_reasons(ticket, severity=result.severity, security=result.security, text=text)
    rows = _suggestions(result, analysis, known, duplicates, incident)
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                run=run,
                ticket=ticket,
                kind=kind,
                value=value[:200],
                reasons=reasons.get(_DIMENSION.get(kind, kind), []) or [f"rules {RULES_VERSION}"],
                details=details,
                requires_review=bool(review) or kind == Kind.ESCALATION,
                review_reasons=review + (["escalation"] if kind == Kind.ESCALATION else []),
                created_at=now,
            )
            for kind, value, details in rows
        ]
    )
    return TriageResult(**{**result.__dict__, "run_id": run.pk})


# The rules' reason dimensions for each kind of suggestion.
_DIMENSION = {Kind.ESCALATION: "escalate"}


def _suggestions(result: TriageResult, analysis, known, duplicates, incident) -> list:
    rows: list[tuple[str, str, dict]] = [
        (Kind.SEVERITY, result.severity, {}),
        (Kind.CATEGORY, result.category, {}),
        (Kind.ISSUE_TYPE, result.issue_type, {}),
        (Kind.ENVIRONMENT, result.environment, {}),
    ]
    if result.security:
        rows.append((Kind.SECURITY, "security", {}))
    if result.needs_info:
        rows.append(
            (
                Kind.NEEDS_INFO,
                ", ".join(result.needs_info),
                {"items": list(result.needs_info), "template": analysis.info_request or ""},
            )
        )
    if known is not None:
        rows.append(
            (
                Kind.KNOWN_ISSUE,
                known.external_id,
                {"title": known.title, "workaround": known.workaround},
            )
        )
    if result.close_as and result.close_as != "known_issue":
        rows.append((Kind.CLOSE_AS, result.close_as, {"template": analysis.reply_template or ""}))
    if duplicates:
        rows.append(
            (
                Kind.DUPLICATE,
                duplicates[0].key,
                {
                    "tickets": [
                        {"id": d.ticket_id, "key": d.key, "title": d.title, "shared": d.shared}
                        for d in duplicates
                    ]
                },
            )
        )
    if incident is not None:
        rows.append(
            (
                Kind.INCIDENT,
                incident.parent_key or "declare",
                {
                    "label": incident.label,
                    "signature_key": incident.signature_key,
                    "parent_id": incident.parent_id,
                    "ticket_ids": list(incident.ticket_ids),
                    "organizations": incident.organizations,
                },
            )
        )
    if result.escalate in ("always", "discretion"):
        rows.append((Kind.ESCALATION, result.escalate, {}))
    return rows
