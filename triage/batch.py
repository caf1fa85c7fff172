"""Triage of a file of tickets, each as if it arrived at its own instant into an otherwise empty
helpdesk holding only the given known issues; nothing is kept.

Input, one JSON object a line: {"id", "created_at" (ISO 8601 with a zone), "organization": {"name",
"tier"}, "requester" (email), "channel", "title", "description"}. The whole file is checked first;
any bad line refuses the run and every bad line is named with its number, because scoring a corpus
with lines silently missing would report accuracy on a different corpus.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from helpdesk.errors import DomainError
from helpdesk.models import Role, User
from kb.importer import ImportRefused, import_known_issues
from kb.models import KnownIssue
from tickets import services
from tickets.choices import Channel, Tier
from tickets.contacts import contact_create
from tickets.models import AgentProfile, Organization

from .models import Incident, TriageRun
from .pipeline import triage_ticket

MAX_TITLE = 200
# Around the input's span, earlier triage runs would be seen by the duplicate and incident
# matchers; they are set aside (inside the rolled-back transaction) so only the batch counts.
MATCH_MARGIN_DAYS = 2


@dataclass(frozen=True)
class BatchTicket:
    line: int
    id: str
    created_at: datetime
    organization: str
    tier: str
    requester: str
    channel: str
    title: str
    description: str


class BatchRefused(Exception):
    """The input (or the known issues) cannot be run; `problems` names each bad line."""

    def __init__(self, problems: list[tuple[int, str]], source: str = "input"):
        self.problems = problems
        self.source = source
        super().__init__("; ".join(f"{source} line {n}: {why}" for n, why in problems))


def _text(data: dict, key: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be text")
    if required and not value.strip():
        raise ValueError(f"“{key}” is missing or empty")
    return value.strip()


def _parse_line(number: int, raw: str) -> BatchTicket:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    ticket_id = data.get("id")
    if isinstance(ticket_id, int) and not isinstance(ticket_id, bool):
        ticket_id = str(ticket_id)
    if not isinstance(ticket_id, str) or not ticket_id.strip():
        raise ValueError("“id” is missing or empty")
    created = _text(data, "created_at")
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        raise ValueError(f"“created_at” is not an ISO 8601 date-time: {created!r}") from None
    if created_at.tzinfo is None:
        raise ValueError("“created_at” has no time zone (add Z or an offset)")
    organization = data.get("organization")
    if not isinstance(organization, dict):
        raise ValueError("“organization” must be an object with a name and a tier")
    name = _text(organization, "name")
    tier = _text(organization, "tier", required=False).lower() or Tier.FREE
    if tier not in Tier.values:
        raise ValueError(f"unknown tier {tier!r} (one of {', '.join(Tier.values)})")
    requester = _text(data, "requester")
    try:
        validate_email(requester)
    except ValidationError:
        raise ValueError(f"“requester” is not an email address: {requester!r}") from None
    channel = _text(data, "channel", required=False).lower() or Channel.EMAIL
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(Channel.values)})")
    title = _text(data, "title")
    if len(title) > MAX_TITLE:
        raise ValueError(f"“title” is longer than {MAX_TITLE} characters")
    return BatchTicket(
        line=number,
        id=ticket_id.strip(),
        created_at=created_at,
        organization=name,
        tier=tier,
        requester=requester.lower(),
        channel=channel,
        title=title,
        description=_text(data, "description", required=False),
    )


def parse(lines: Iterable[str]) -> list[BatchTicket]:
    """Every ticket of the input in created_at order (file order among equal instants), or
    BatchRefused naming every bad line."""
    tickets: list[BatchTicket] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            ticket = _parse_line(number, raw)
        except ValueError as exc:
            problems.append((number, str(exc)))
            continue
        if ticket.id in seen:
            problems.append((number, f"id “{ticket.id}” already appears on line {seen[ticket.id]}"))
            continue
        seen[ticket.id] = number
        tickets.append(ticket)
    if problems:
        raise BatchRefused(problems)
    return sorted(tickets, key=lambda t: (t.created_at, t.line))


class _World:
    """The organizations, contacts and agent the batch creates, made on first use."""

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.organizations: dict[str, Organization] = {}
        self.contacts: dict[tuple[int, str], User] = {}
        self.agent = User.objects.create(
            username=f"triage-batch-{self.run}", role=Role.AGENT, email=""
        )
        AgentProfile.objects.create(user=self.agent)

    def organization(self, ticket: BatchTicket) -> Organization:
        org = self.organizations.get(ticket.organization)
        if org is None:
            slug = f"{slugify(ticket.organization)[:60]}-{self.run}-{len(self.organizations)}"
            org = Organization.objects.create(name=ticket.organization, slug=slug, tier=ticket.tier)
            self.organizations[ticket.organization] = org
        return org

    def contact(self, organization: Organization, email: str) -> User:
        key = (organization.pk, email)
        if key not in self.contacts:
            self.contacts[key] = contact_create(email=email, name="", organization=organization)
        return self.contacts[key]


def _empty_helpdesk(tickets: list[BatchTicket]) -> None:
    """Set aside what the matchers would otherwise find: known issues, incidents and the triage
    runs near the input's span. Tickets need no hiding: the batch's organizations are new, and
    the matchers look only at runs and at the same organization's tickets."""
    from datetime import timedelta

    margin = timedelta(days=MATCH_MARGIN_DAYS)
    TriageRun.objects.filter(
        ticket_created_at__gte=tickets[0].created_at - margin,
        ticket_created_at__lte=tickets[-1].created_at + margin,
    ).delete()
    Incident.objects.all().delete()
    KnownIssue.objects.all().delete()


def run(tickets: list[BatchTicket], *, known_issues: Iterable[str] | None = None) -> list[dict]:
    """One prediction per ticket, in the order triaged. Everything written is rolled back."""
    if not tickets:
        return []
    with transaction.atomic():
        predictions = _run(tickets, known_issues)
        transaction.set_rollback(True)
    return predictions


def _run(tickets: list[BatchTicket], known_issues: Iterable[str] | None) -> list[dict]:
    _empty_helpdesk(tickets)
    world = _World()
    if known_issues is not None:
        try:
            import_known_issues(lines=known_issues, actor=world.agent)
        except ImportRefused as exc:
            raise BatchRefused([(exc.line, exc.reason)], source="known issues") from exc
    input_id: dict[int, str] = {}
    predictions = []
    for item in tickets:
        organization = world.organization(item)
        try:
            ticket = services.ticket_create(
                actor=world.agent,
                organization=organization,
                requester=world.contact(organization, item.requester),
                title=item.title,
                description=item.description,
                channel=item.channel,
                now=item.created_at,
            )
        except (DomainError, ValidationError) as exc:
            raise BatchRefused([(item.line, str(getattr(exc, "message", exc)))]) from exc
        input_id[ticket.pk] = item.id
        result = triage_ticket(ticket, now=item.created_at)
        predictions.append(
            {
                "id": item.id,
                "severity": result.severity,
                "category": result.category,
                "issue_type": result.issue_type,
                "environment": result.environment,
                "security": result.security,
                "needs_info": list(result.needs_info),
                "close_as": result.close_as,
                "known_issue": result.known_issue,
                "duplicate_of": [input_id[pk] for pk in result.duplicate_of if pk in input_id],
                "incident_group": result.incident_group,
                "escalate": result.escalate,
                "reasons": {k: list(v) for k, v in result.reasons.items() if v},
            }
        )
    return predictions
