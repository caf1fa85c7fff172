"""Customer satisfaction: when a ticket is resolved, the customer who asked is asked for a 1-5
rating and a comment, once per resolution (a reopened ticket resolved again asks again).

The email carries a random single-use link (only its hash is stored; it expires) that works
without logging in: GET shows the form, POST records the rating, a used link thanks and shows
the rating. The portal's ticket page offers the same form to the logged-in customer. Ratings
show on the ticket page for agents and feed the CSAT panel of the dashboard.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from helpdesk import clock, outbox
from helpdesk.errors import DomainError
from helpdesk.models import OutboundChannel, OutboundMessage, User

from . import events
from .choices import EventKind, Status
from .models import SatisfactionSurvey, Ticket, TicketEvent
from .models.satisfaction import hash_token
from .selectors import users_who_can_see

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(days=14)
# Only a resolution that just happened is asked about; one backdated (imported) is not.
STALE_RESOLUTION = timedelta(days=1)
MAX_COMMENT_CHARS = 5000
RATINGS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neutral",
    4: "Satisfied",
    5: "Very satisfied",
}


def _email(ticket: Ticket, customer: User, raw: str) -> str:
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    link = base + reverse("satisfaction_rate", args=[raw])
    return (
        f"Hello {customer.first_name or customer.display_name},\n\n"
        f"We resolved your ticket {ticket.key}: {ticket.title}\n\n"
        "How did we do? Rate our support from 1 to 5 and tell us what we could do better; "
        "it takes a few seconds and needs no login:\n\n"
        f"{link}\n\n"
        f"The link works once and for {LINK_LIFETIME.days} days. You can also rate us on the "
        f"ticket's page: {base}{reverse('portal_ticket', args=[ticket.key])}\n"
    )


@transaction.atomic
def survey_open(*, ticket_id: int, now: datetime) -> tuple[SatisfactionSurvey, str] | None:
    """Ask the customer about the ticket's latest resolution: the survey row and its email in
    one transaction. Returns (survey, raw token), or None when there is nobody to ask (no
    customer requester, the ticket is no longer resolved) or this resolution was asked already.
    An earlier unanswered survey of the ticket expires: it asked about a resolution that did
    not hold."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("requester")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.status != Status.RESOLVED:
        return None
    customer = ticket.requester
    if customer is None or not customer.is_customer or not customer.is_active:
        return None
    if not users_who_can_see(ticket, User.objects.filter(pk=customer.pk)).exists():
        return None
    resolution = (
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS, after=Status.RESOLVED)
        .order_by("-created_at", "-id")
        .first()
    )
    if resolution is None or SatisfactionSurvey.objects.filter(resolution=resolution).exists():
        return None
    if resolution.created_at < now - STALE_RESOLUTION:
        return None  # a resolution recorded after the fact (an import): nobody to ask now
    SatisfactionSurvey.objects.filter(
        ticket=ticket, rating__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    raw = secrets.token_urlsafe(32)
    survey = SatisfactionSurvey.objects.create(
        ticket=ticket,
        resolution=resolution,
        customer=customer,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    if customer.email:
        outbox.enqueue(
            [
                OutboundMessage(
                    channel=OutboundChannel.EMAIL,
                    recipient=customer.email,
                    subject=f"How did we do? {ticket.key} {ticket.title}"[:300],
                    body=_email(ticket, customer, raw),
                    dedup_key=f"satisfaction:{survey.pk}:email",
                )
            ],
            now=now,
        )
    return survey, raw


def survey_by_token(raw: str) -> SatisfactionSurvey | None:
    """The survey of a link, or None for a token that was never issued (or was altered)."""
    if not raw or len(raw) > 100:
        return None
    return (
        SatisfactionSurvey.objects.select_related("ticket", "customer")
        .filter(token_hash=hash_token(raw))
        .first()
    )


def open_survey_for(ticket: Ticket) -> SatisfactionSurvey | None:
    """The ticket's latest survey (answered or not), for the portal's ticket page."""
    return SatisfactionSurvey.objects.filter(ticket=ticket).order_by("-created_at", "-id").first()


@transaction.atomic
def survey_rate(
    *,
    survey: SatisfactionSurvey,
    rating: int,
    comment: str = "",
    via: str,
    now: datetime,
    actor: User | None = None,
) -> SatisfactionSurvey:
    """Record the answer once. A used or expired survey refuses and keeps what it had; through
    the portal (`actor`) only the customers who may see the ticket answer."""
    if rating not in RATINGS:
        raise DomainError("Choose a rating from 1 to 5.", field="rating", code="invalid_rating")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise DomainError(
            f"A comment holds at most {MAX_COMMENT_CHARS:,} characters.", field="comment"
        )
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.is_rated:
        raise DomainError("Thank you, this rating is already recorded.", code="already_rated")
    if survey.expires_at <= now:
        raise DomainError(
            "This rating link has expired. You can still reply on the ticket.", code="expired"
        )
    if actor is not None:
        visible = users_who_can_see(survey.ticket, User.objects.filter(pk=actor.pk)).exists()
        if not actor.is_customer or not visible:
            raise DomainError("Only the customer rates the support they got.", code="not_customer")
    survey.rating, survey.comment, survey.rated_at, survey.rated_via = rating, comment, now, via
    survey.save(update_fields=["rating", "comment", "rated_at", "rated_via"])
    return survey


def on_status_changed(sender, *, ticket_id: int, after: str, **kwargs) -> None:
    """After the resolution's commit; like the other notices, the ticket is already saved, so a
    failure here is logged and never shown to the agent who resolved it."""
    if after != Status.RESOLVED:
        return
    try:
        survey_open(ticket_id=ticket_id, now=clock.now())
    except Exception:
        log.exception("asking for the satisfaction rating of ticket %s failed", ticket_id)


def connect() -> None:
    events.ticket_status_changed.connect(on_status_changed, dispatch_uid="satisfaction-resolved")
