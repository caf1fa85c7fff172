"""Known issues: save, link tickets, close a ticket as a known issue, announce the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from helpdesk import clock
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import User
from kb.models import KnownIssue, KnownIssueStatus, KnownIssueTicket
from kb.selectors import awaiting_follow_up
from tickets import replies
from tickets import services as ticket_services
from tickets.choices import Status
from tickets.models import ReplyTemplate, Ticket
from tickets.selectors import ticket_get_for_user

KNOWN_ISSUE_TEMPLATE = "known-issue-workaround"
# Seed 003, "Close as Known Issue / Workaround Available".
PLAYBOOK_REPLY = (
    "Hi {{ customer_name }},\n\nThis is a known issue with [component/version]. The recommended "
    "workaround is [workaround]. We're tracking this issue and will update you when a fix is "
    "available. For reference, this is documented in our internal known issues database.\n\n"
    "Best regards,\n{{ agent_name }}"
)
FIELDS = (
    "title",
    "component",
    "affected_versions",
    "error_signatures",
    "symptoms",
    "workaround",
    "status",
    "fix_version",
    "article",
)


def _require_agent(user: User) -> None:
    if not user.is_agent_side:
        raise Forbidden("Only agents can change known issues.")


def _check(issue: KnownIssue) -> None:
    if issue.status == KnownIssueStatus.FIXED and not issue.fix_version.strip():
        raise DomainError(
            "Say which version fixes it before marking it fixed.",
            field="fix_version",
            code="required",
        )


@transaction.atomic
def known_issue_save(
    *,
    actor: User,
    issue: KnownIssue | None = None,
    external_id: str = "",
    now: datetime | None = None,
    **fields,
) -> KnownIssue:
    """Create (with `external_id`) or change a known issue. Marking it fixed dates the fix."""
    _require_agent(actor)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.", code="invalid")
    now = now or clock.now()
    if issue is None:
        issue = KnownIssue(external_id=external_id.strip(), created_at=now)
    else:
        issue = KnownIssue.objects.select_for_update().get(pk=issue.pk)
    was_fixed = issue.status == KnownIssueStatus.FIXED
    for name, value in fields.items():
        setattr(issue, name, value)
    issue.error_signatures = [s.strip() for s in issue.error_signatures if s.strip()]
    _check(issue)
    if issue.status == KnownIssueStatus.FIXED and not was_fixed:
        issue.fixed_at = now
    elif issue.status != KnownIssueStatus.FIXED:
        issue.fixed_at = None
    issue.updated_at = now
    issue.full_clean(exclude=["article"])
    issue.save()
    return issue


@transaction.atomic
def known_issue_link_ticket(
    *, issue: KnownIssue, ticket: Ticket, actor: User, now: datetime | None = None
) -> KnownIssueTicket:
    """A ticket hit the known issue. Linking twice keeps the first link (and its date)."""
    _require_agent(actor)
    link, _ = KnownIssueTicket.objects.get_or_create(
        known_issue=issue,
        ticket=ticket,
        defaults={"linked_by": actor, "linked_at": now or clock.now()},
    )
    return link


def known_issue_reply(*, issue: KnownIssue, ticket: Ticket, agent: User) -> str:
    """The playbook's known-issue reply (seed 003) filled in with this issue's component,
    versions and workaround."""
    template = ReplyTemplate.objects.filter(slug=KNOWN_ISSUE_TEMPLATE).first()
    if template is None:  # deleted in the admin: the playbook's own words still apply
        template = ReplyTemplate(slug=KNOWN_ISSUE_TEMPLATE, body=PLAYBOOK_REPLY)
    body = replies.render_reply(template, ticket=ticket, agent=agent)
    component = issue.component or issue.title
    if issue.affected_versions:
        component = f"{component} ({issue.affected_versions})"
    # The template's sentence ends with its own full stop.
    workaround = issue.workaround.strip().rstrip(".") or "not available yet"
    body = body.replace("[component/version]", component).replace("[workaround]", workaround)
    return f"{body}\n\nReference: {issue.external_id}, {issue.title}."


@transaction.atomic
def known_issue_close_ticket(
    *,
    issue: KnownIssue,
    ticket: Ticket,
    actor: User,
    message: str = "",
    now: datetime | None = None,
) -> Ticket:
    """Link the ticket to the issue and resolve it with the known-issue reply (or `message`,
    the same reply as the agent edited it), through the ticket services like any reply."""
    _require_agent(actor)
    now = now or clock.now()
    known_issue_link_ticket(issue=issue, ticket=ticket, actor=actor, now=now)
    body = message.strip() or known_issue_reply(issue=issue, ticket=ticket, agent=actor)
    return ticket_services.ticket_transition(
        ticket=ticket, to=Status.RESOLVED, actor=actor, message=body, now=now
    )


def fix_message(issue: KnownIssue) -> str:
    return (
        f"Good news: {issue.external_id} ({issue.title}) is fixed in version "
        f"{issue.fix_version}. Once you are on {issue.fix_version} the workaround is no longer "
        "needed. If you still see the problem after updating, reply here and we will look "
        "into it straight away."
    )


@dataclass
class FollowUpResult:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def known_issue_follow_up(
    *, issue: KnownIssue, actor: User, message: str, now: datetime | None = None
) -> FollowUpResult:
    """Tell the customer of every linked ticket not yet told that the issue is fixed: a public
    reply on each ticket's own timeline, one transaction per ticket. A ticket already followed
    up (a second press, or another agent at the same time) is skipped, so nobody hears twice."""
    _require_agent(actor)
    if issue.status != KnownIssueStatus.FIXED:
        raise DomainError("Mark the issue fixed before announcing the fix.", code="not_fixed")
    message = message.strip()
    if not message:
        raise DomainError("Write the message to send.", field="message", code="required")
    result = FollowUpResult()
    for link_id in list(awaiting_follow_up(actor, issue).values_list("pk", flat=True)):
        with transaction.atomic():
            link = (
                KnownIssueTicket.objects.select_for_update()
                .select_related("ticket")
                .get(pk=link_id)
            )
            key = link.ticket.key
            if link.followed_up_at is not None:
                result.skipped.append(key)
                continue
            try:
                ticket = ticket_get_for_user(actor, key)
                ticket_services.comment_add(
                    ticket=ticket, author=actor, body=message, now=now or clock.now()
                )
            except DomainError as exc:
                result.failed[key] = exc.message
                continue
            link.followed_up_at = now or clock.now()
            link.save(update_fields=["followed_up_at"])
            result.sent.append(key)
    return result
