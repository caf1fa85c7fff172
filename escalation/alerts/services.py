"""Receiving an alert. One transaction per alert, serialised per source by a row lock on the
source, so a burst of the same alert opens one ticket and pages once; the unique constraint on
the firing alert per source and key holds even if that lock were ever skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from escalation.models import Alert, AlertSource, AlertState, PageReason
from escalation.paging.services import page_start
from helpdesk.models import Role, User
from tickets import lifecycle
from tickets.choices import OPEN_STATUSES, Channel, IssueType, Status
from tickets.services import comment_add, ticket_create, ticket_transition


@dataclass(frozen=True)
class Outcome:
    alert: Alert | None
    action: str  # "opened", "repeated", "cleared", "ignored"


def _account(source: AlertSource) -> User:
    """The source's own user, who opens its tickets on the timeline. It cannot log in."""
    if source.account_id:
        return source.account
    user = User(
        username=f"alerts-{source.slug}"[:150],
        first_name=source.name[:150],
        role=Role.AGENT,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    source.account = user
    source.save(update_fields=["account"])
    return user


def _describe(payload: dict[str, Any]) -> str:
    lines = [payload.get("description") or ""]
    if payload.get("details"):
        lines.append("Details:")
        lines += [f"- {k}: {v}" for k, v in payload["details"].items()]
    return "\n".join(line for line in lines if line).strip()


@transaction.atomic
def alert_receive(*, source: AlertSource, payload: dict[str, Any], now: datetime) -> Outcome:
    """Apply one validated alert (escalation.alerts.api.AlertSerializer)."""
    source = (
        AlertSource.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=source.pk)
    )
    key = payload["dedup_key"]
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(source=source, dedup_key=key, state=AlertState.FIRING)
        .first()
    )
    if payload["status"] == AlertState.RESOLVED:
        if alert is None:
            return Outcome(None, "ignored")  # cleared twice, or never seen: nothing to do
        _clear(source, alert, payload, now)
        return Outcome(alert, "cleared")
    if alert is not None:
        alert.count += 1
        alert.last_seen_at, alert.last_payload = now, payload
        alert.save(update_fields=["count", "last_seen_at", "last_payload"])
        return Outcome(alert, "repeated")
    account = _account(source)
    severity = payload.get("severity") or source.default_severity
    ticket = ticket_create(
        actor=account,
        organization=source.organization,
        title=payload["summary"],
        description=_describe(payload),
        severity=severity,
        issue_type=IssueType.INCIDENT,
        channel=Channel.MONITORING,
        team=source.team,
        tags=["alert", source.slug.lower()[:40]],
        now=now,
    )
    alert = Alert.objects.create(
        source=source,
        dedup_key=key,
        ticket=ticket,
        summary=payload["summary"],
        first_seen_at=now,
        last_seen_at=now,
        last_payload=payload,
    )
    if severity == 1:
        # Paged here, in the alert's transaction; the paging receiver that runs after commit
        # finds this page open and starts no other (one open page per ticket and reason).
        page_start(ticket=ticket, reason=PageReason.SEVERITY, actor=None, now=now)
    return Outcome(alert, "opened")


def _clear(source: AlertSource, alert: Alert, payload: dict[str, Any], now: datetime) -> None:
    alert.state, alert.resolved_at, alert.last_payload = AlertState.RESOLVED, now, payload
    alert.save(update_fields=["state", "resolved_at", "last_payload"])
    ticket = alert.ticket
    account = _account(source)
    note = (
        f"The monitoring alert cleared ({source.name}, key “{alert.dedup_key}”) after "
        f"{alert.count} report(s)."
    )
    comment_add(ticket=ticket, author=account, body=note, is_internal=True, now=now)
    ticket.refresh_from_db(fields=["status"])
    if (
        source.resolve_on_clear
        and ticket.status in OPEN_STATUSES
        and lifecycle.is_allowed(ticket.status, Status.RESOLVED)
    ):
        ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=account, now=now)
