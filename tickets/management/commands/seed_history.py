"""Demo history for the dashboard: 90 days of tickets worked through the services at the times
they happened (created, answered, escalated, resolved, some reopened), so their timelines and
SLA rows are real, a share of them late (a late answer or resolution records its breach when it
comes); then the rollups are rebuilt. Nobody is notified of the past: the ticket signals are
muted while it is written."""

from __future__ import annotations

import io
import random
import time
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from helpdesk import clock
from tickets import events, services
from tickets.choices import Category, Channel
from tickets.models import Ticket

from ._demo_people import people

TAG = "history"
# Weights of the demo's mix: most tickets are P3/P4 questions, a few P1 outages.
SEVERITIES = ((1, 3), (2, 17), (3, 50), (4, 30))
CATEGORIES = (
    (Category.AUTHENTICATION, 22),
    (Category.INTEGRATION, 20),
    (Category.PERFORMANCE, 15),
    (Category.VALIDATION, 15),
    (Category.DOCUMENTATION, 12),
    (Category.FEATURE_REQUEST, 8),
    (Category.OTHER, 8),
)
CHANNELS = (
    (Channel.EMAIL, 45),
    (Channel.PORTAL, 30),
    (Channel.CHAT, 12),
    (Channel.API, 8),
    (Channel.PHONE, 5),
)
# Typical first response and resolution (hours) per severity, inside the playbook's targets.
FIRST_RESPONSE_H = {1: 0.15, 2: 0.6, 3: 2.0, 4: 8.0}
RESOLVE_H = {1: 3.0, 2: 6.0, 3: 30.0, 4: 72.0}
TITLES = {
    Category.AUTHENTICATION: ["SSO login loops back to the sign-in page", "API key rejected"],
    Category.INTEGRATION: ["Webhook deliveries delayed", "SDK upload fails with 413"],
    Category.PERFORMANCE: ["Dashboard slow to load", "429 Too Many Requests on export"],
    Category.VALIDATION: ["Import rejects valid CSV", "Date field refuses ISO format"],
    Category.DOCUMENTATION: ["Docs for pagination are unclear", "Where is the audit log?"],
    Category.FEATURE_REQUEST: ["Export to Parquet", "Dark mode for reports"],
    Category.OTHER: ["Invoice shows the wrong VAT", "Change the account owner"],
}


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class Command(BaseCommand):
    help = "Add 90 days of resolved demo tickets with real timelines, then rebuild the rollups."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--per-day", type=int, default=5, help="tickets a day on average")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if it ran before")
        parser.add_argument("--seed", type=int, default=21)

    def handle(self, *args, days: int, per_day: int, if_empty: bool, seed: int, **options):
        if days < 1 or per_day < 1:
            raise CommandError("--days and --per-day must be at least 1.")
        if if_empty and Ticket.objects.filter(tags__contains=[TAG]).exists():
            self.stdout.write("Demo history is already there: nothing added.")
            return
        started = time.monotonic()
        rng = random.Random(seed)
        now = clock.now()
        with transaction.atomic():
            cast = people()
        history = _History(cast, rng=rng, now=now)
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        count = 0
        with events.muted():
            for back in range(days, 0, -1):
                day = today - timedelta(days=back)
                # A day at a time: one commit a day rather than one a ticket.
                with transaction.atomic():
                    for _ in range(max(1, round(rng.gauss(per_day, per_day / 3)))):
                        history.ticket(day)
                        count += 1
        call_command(
            "rebuild_rollups",
            since=(today - timedelta(days=days)).date().isoformat(),
            stdout=io.StringIO(),
        )
        self.stdout.write(
            f"Added {count} tickets over {days} days and rebuilt the rollups "
            f"in {time.monotonic() - started:.0f} s."
        )


class _History:
    def __init__(self, cast, *, rng: random.Random, now):
        self.cast, self.rng, self.now = cast, rng, now
        self.tier1 = cast.tier(1)
        self.tier2 = cast.tier(2)

    def _hours(self, typical: float) -> timedelta:
        return timedelta(hours=typical * self.rng.lognormvariate(0, 0.7))

    def ticket(self, day) -> None:
        rng = self.rng
        organization = rng.choice(self.cast.organizations)
        contacts = self.cast.contacts.get(organization.pk) or [self.cast.customer]
        severity = _pick(rng, SEVERITIES)
        category = _pick(rng, CATEGORIES)
        created = day + timedelta(hours=rng.uniform(6, 20))
        agent = rng.choice(self.tier1)
        ticket = services.ticket_create(
            actor=agent,
            organization=organization,
            requester=rng.choice(contacts),
            title=rng.choice(TITLES[category]),
            severity=severity,
            category=category,
            channel=_pick(rng, CHANNELS),
            team=self.cast.teams["tier-1-support"],
            tags=[TAG],
            now=created,
        )
        at = created + self._hours(FIRST_RESPONSE_H[severity])
        if at >= self.now:
            return
        if severity >= 3 and rng.random() < 0.45:
            # Answered and solved in one reply: a first-contact resolution.
            at += self._hours(0.5)
            if at >= self.now:
                return
            self._move(ticket, agent, "resolved", at, "Here is how to fix it: ...")
        else:
            self._reply(ticket, agent, at, "Thanks for the report: we are looking into it.")
            if rng.random() < 0.25:
                at += timedelta(minutes=rng.uniform(10, 90))
                services.ticket_record_escalation_step(
                    ticket_id=ticket.pk, summary="Escalated to Tier 2 Support", actor=agent, now=at
                )
                agent = rng.choice(self.tier2)
            at = max(at + timedelta(minutes=5), created + self._hours(RESOLVE_H[severity]))
            if at >= self.now:
                return
            self._move(
                ticket, agent, "resolved", at, "This is fixed now; tell us if it comes back."
            )
        if rng.random() < 0.06:
            at += timedelta(days=rng.uniform(1, 5))
            if at >= self.now:
                return
            self._move(ticket, agent, "investigating", at)
            at += self._hours(4)
            if at < self.now:
                self._move(ticket, agent, "resolved", at, "Fixed for good this time.")
        elif at + timedelta(days=3) < self.now:
            self._move(ticket, agent, "closed", at + timedelta(days=3))

    def _reply(self, ticket, agent, at, body: str) -> None:
        services.comment_add(ticket=ticket, author=agent, body=body, now=at)

    def _move(self, ticket, agent, to: str, at, message: str = "") -> None:
        services.ticket_transition(
            ticket=Ticket.objects.get(pk=ticket.pk), to=to, actor=agent, message=message, now=at
        )
