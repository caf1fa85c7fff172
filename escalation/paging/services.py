"""Writes to pages: start, notify a level, escalate, acknowledge, resolve.

Every service is atomic, locks the page it changes (`select_for_update`), and writes its timeline
entry through `tickets.services` and its messages to the outbox in the same transaction. So an
acknowledgement and an escalation step that race are serialised on the page row: whichever
commits second sees the other's result and does nothing the first already did.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from escalation.models import (
    OPEN_PAGE,
    Page,
    PageAction,
    PageReason,
    PageRecipient,
    PageState,
)
from escalation.oncall import oncall_at
from escalation.paging import policies, tokens
from escalation.paging.selectors import took
from helpdesk import outbox
from helpdesk.errors import Conflict, DomainError, Forbidden
from helpdesk.models import OutboundChannel, OutboundMessage, User
from tickets.choices import OPEN_STATUSES
from tickets.models import SlaEvent, Team, Ticket
from tickets.services import ticket_record_page_step

KIND = "page"  # the bell's kind of notice (helpdesk.notifications)


def _lock(page: Page) -> Page:
    return Page.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=page.pk)


def _describe(ticket: Ticket, reason: str) -> str:
    label = "security " if ticket.is_security else ""
    return f"P{ticket.severity} {label}{ticket.key}: {ticket.title}"[:300]


def _level_people(level: dict, now: datetime) -> list[User]:
    """Everyone a level names, once each: its users, its team (members and lead), and whoever is
    on call on its schedule at `now`. Only active agent-side people are paged."""
    from escalation.models import Schedule

    ids: list[int] = list(level.get("users") or [])
    if level.get("team"):
        team = Team.objects.filter(pk=level["team"]).first()
        if team is not None:
            ids += list(team.members.values_list("pk", flat=True))
            if team.lead_id:
                ids.append(team.lead_id)
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    if level.get("schedule"):
        schedule = Schedule.objects.filter(pk=level["schedule"]).first()
        if schedule is not None:
            people.update({u.pk: u for u in oncall_at(schedule, now)})
    ordered = sorted(people.values(), key=lambda u: (u.display_name.lower(), u.pk))
    return [u for u in ordered if u.is_active and u.is_agent_side]


def _email(page: Page, user: User, title: str, body: str, key: str, now: datetime) -> str:
    """The page's email, with links that act without logging in (single use, expiring). Pages
    always go by email: being woken is not a preference."""
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    ack = tokens.issue(page=page, user=user, action=PageAction.ACKNOWLEDGE, now=now)
    resolve = tokens.issue(page=page, user=user, action=PageAction.RESOLVE, now=now)
    return (
        f"{body}\n\n"
        f"Acknowledge: {base}{reverse('page_link', args=[ack])}\n"
        f"Resolve: {base}{reverse('page_link', args=[resolve])}\n\n"
        f"Ticket: {base}{page.ticket.get_absolute_url()}\n"
        f"My pages: {base}{reverse('my_pages')}\n"
    )


def _notify_level(page: Page, now: datetime) -> list[User]:
    """Page everyone of the page's current level and round, unless this step already did.

    Writes the recipients (unique per step), the bell, the emails and the chat webhook, and the
    timeline entry, all in the caller's transaction."""
    level = page.levels[page.level]
    people = _level_people(level, now)
    already = set(
        PageRecipient.objects.filter(page=page, round=page.round, level=page.level).values_list(
            "user_id", flat=True
        )
    )
    people = [u for u in people if u.pk not in already]
    step = f"page:{page.pk}:r{page.round}:l{page.level}"
    ticket = page.ticket
    title = f"Page: {page.summary}"[:200]
    body = f"{page.get_reason_display()} · level {page.level + 1} of {len(page.levels)}"
    url = reverse("my_pages")
    PageRecipient.objects.bulk_create(
        [
            PageRecipient(page=page, user=u, level=page.level, round=page.round, notified_at=now)
            for u in people
        ]
    )
    emails = [
        OutboundMessage(
            channel=OutboundChannel.EMAIL,
            recipient=u.email,
            subject=title[:300],
            body=_email(page, u, title, body, step, now),
            dedup_key=f"{step}:{u.pk}:email",
        )
        for u in people
        if u.email
    ]
    outbox.enqueue(emails, now=now)
    names = ", ".join(u.display_name for u in people) or "nobody (no one on this level)"
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    outbox.send(
        notices=[
            outbox.Notice(u, title, body, url, f"{step}:{u.pk}", KIND, ticket.pk) for u in people
        ],
        events=[
            outbox.Event(
                "page.triggered",
                f"🚨 {title} — level {page.level + 1}: {names}. "
                f"Acknowledge: {base}{reverse('page_detail', args=[page.pk])}",
                step,
                {
                    "page": page.pk,
                    "ticket": ticket.key,
                    "reason": page.reason,
                    "level": page.level + 1,
                    "notified": [u.username for u in people],
                    "url": f"{base}{reverse('page_detail', args=[page.pk])}",
                },
            )
        ],
        now=now,
    )
    with_email = {u.pk for u in people if u.email}
    who = [
        f"{u.display_name} ({'in-app, email' if u.pk in with_email else 'in-app'})" for u in people
    ]
    ticket_record_page_step(
        ticket_id=ticket.pk,
        actor=None,
        now=now,
        summary=f"paged level {page.level + 1}: {', '.join(who) or 'nobody on this level'}",
        data={"page": page.pk, "level": page.level + 1, "round": page.round + 1,
              "notified": [u.pk for u in people], "webhook": True},
    )  # fmt: skip
    return people


def _schedule_next(page: Page, now: datetime) -> None:
    wait = page.levels[page.level].get("wait_minutes") or 1
    page.next_step_at = now + timedelta(minutes=wait)


@transaction.atomic
def page_start(
    *,
    ticket: Ticket,
    reason: str,
    actor: User | None,
    now: datetime,
    sla_event: SlaEvent | None = None,
) -> Page | None:
    """Start a page for the ticket and notify its first level at once. Returns None when the
    ticket already has an open page for this reason (the unique constraint decides, so two
    starters racing make one page), or when the ticket is no longer open."""
    if reason not in PageReason.values:
        raise DomainError(f"Unknown reason “{reason}”.")
    ticket = Ticket.objects.select_related("organization", "team__lead", "assignee").get(
        pk=ticket.pk
    )
    if ticket.status not in OPEN_STATUSES:
        if reason == PageReason.MANUAL:
            raise DomainError("Only an open ticket can be paged.", code="ticket_closed")
        return None
    if Page.objects.filter(OPEN_PAGE, ticket=ticket, reason=reason).exists():
        if reason == PageReason.MANUAL:
            raise Conflict("This ticket already has an open page.", code="already_paged")
        return None
    policy = policies.policy_for(ticket)
    levels = policies.snapshot(policy) if policy else []
    if not levels:
        levels = policies.fallback_levels(ticket)
    try:
        with transaction.atomic():
            page = Page.objects.create(
                ticket=ticket,
                reason=reason,
                summary=_describe(ticket, reason),
                policy=policy,
                levels=levels,
                repeat=policy.repeat if policy else 0,
                sla_event=sla_event,
                started_at=now,
                started_by=actor,
            )
    except IntegrityError:
        return None  # someone else started it a moment ago
    ticket_record_page_step(
        ticket_id=ticket.pk,
        actor=actor,
        now=now,
        summary=f"started an on-call page ({page.get_reason_display()}; "
        f"policy {policy.name if policy else 'none: the ticket’s owners'})",
        data={"page": page.pk, "reason": reason},
    )
    _notify_level(page, now)
    _schedule_next(page, now)
    page.save(update_fields=["next_step_at"])
    return page


@transaction.atomic
def page_step(*, page: Page, now: datetime) -> None:
    """Move an unacknowledged page whose wait is over to its next level, or the next round, or
    the end. The caller (the engine module) holds the page's row lock, claimed with SKIP LOCKED:
    a page being acknowledged right now is not stepped."""
    if page.level + 1 < len(page.levels):
        page.level += 1
    elif page.round < page.repeat:
        page.round += 1
        page.level = 0
    else:
        page.next_step_at = None
        page.save(update_fields=["next_step_at"])
        ticket_record_page_step(
            ticket_id=page.ticket_id,
            actor=None,
            now=now,
            summary="on-call page: every level was paged and nobody acknowledged",
            data={"page": page.pk},
        )
        return
    _notify_level(page, now)
    _schedule_next(page, now)
    page.save(update_fields=["level", "round", "next_step_at"])


def _check_may_act(page: Page, user: User) -> None:
    from escalation.paging.selectors import pages_visible_to

    if not pages_visible_to(user).filter(pk=page.pk).exists():
        raise Forbidden("You may not act on this page.")


@transaction.atomic
def page_acknowledge(*, page: Page, actor: User, via: str, now: datetime) -> bool:
    """Stop the escalation: the page stays open (someone is on it) but pages nobody else.
    Returns False when it was already acknowledged or resolved: acknowledging twice is harmless.
    """
    page = _lock(page)
    _check_may_act(page, actor)
    if page.state != PageState.TRIGGERED:
        return False
    page.state = PageState.ACKNOWLEDGED
    page.acknowledged_at, page.acknowledged_by, page.acknowledged_via = now, actor, via
    page.next_step_at = None
    page.save(
        update_fields=[
            "state",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_via",
            "next_step_at",
        ]
    )
    ticket_record_page_step(
        ticket_id=page.ticket_id,
        actor=actor,
        now=now,
        summary=f"acknowledged the on-call page ({via}) after "
        f"{took(page.started_at, now)}, at level {page.level + 1}",
        data={"page": page.pk, "via": via},
    )
    return True


@transaction.atomic
def page_resolve(*, page: Page, actor: User, via: str, now: datetime) -> bool:
    """Close the page (the ticket itself stays as it is). Resolving an unacknowledged page also
    acknowledges it. Returns False when it was already resolved."""
    page = _lock(page)
    _check_may_act(page, actor)
    if page.state == PageState.RESOLVED:
        return False
    fields = ["state", "resolved_at", "resolved_by", "next_step_at"]
    if page.acknowledged_at is None:
        page.acknowledged_at, page.acknowledged_by, page.acknowledged_via = now, actor, via
        fields += ["acknowledged_at", "acknowledged_by", "acknowledged_via"]
    page.state, page.resolved_at, page.resolved_by, page.next_step_at = (
        PageState.RESOLVED,
        now,
        actor,
        None,
    )
    page.save(update_fields=fields)
    ticket_record_page_step(
        ticket_id=page.ticket_id,
        actor=actor,
        now=now,
        summary=f"resolved the on-call page ({via})",
        data={"page": page.pk, "via": via},
    )
    return True
