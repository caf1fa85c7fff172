"""Demo postmortems and satisfaction ratings: the published postmortem of the demo P1 (SUP-456,
seed 000's SSO outage) with its action items, one of them overdue, and customer ratings on the
resolved demo tickets, including the 90 days of history when it is there."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef

from helpdesk import clock
from helpdesk.models import User
from postmortems import services
from postmortems.models import Postmortem, State
from tickets.choices import EventKind, Status
from tickets.models import SatisfactionSurvey, Ticket, TicketEvent
from tickets.models.satisfaction import hash_token

DEMO_P1 = 456
SECTIONS = {
    "summary": (
        "For about two hours, 50 users of Acme Corp could not log in through SSO: every "
        "attempt answered “Invalid credentials”. A change to the SSO issuer URL had not been "
        "carried over to the SAML validation of the auth service deployed two days earlier."
    ),
    "impact": (
        "Acme Corp's SSO users (about 50) were locked out of the product; password logins "
        "kept working. Revenue-blocking for the customer: their support team could not reach "
        "their own tickets."
    ),
    "detection": (
        "The customer reported it by email; our monitoring had no check of SSO logins per "
        "identity provider, so the error rate of one tenant did not alert."
    ),
    "trigger": "The SSO configuration update of the day before (a new issuer URL).",
    "root_cause": (
        "The SAML validator compared the issuer against a value cached at deploy time, so a "
        "configuration change needed a restart to take effect, and nothing said so. "
        "Contributing: the configuration change had no post-change login check, and the "
        "auth deploy two days earlier had moved the cache out of the reload path."
    ),
    "immediate_fix": "The issuer URL was corrected and the validators restarted.",
    "long_term_fix": (
        "The validator reads the issuer from the live configuration; a change to SSO "
        "settings runs a synthetic login against the identity provider."
    ),
    "verification": (
        "The customer's users logged in again; a synthetic SSO login has passed every five "
        "minutes since."
    ),
    "went_well": "The workaround (password login) reached the customer 13 minutes in.",
    "went_wrong": "It took 47 minutes to connect the symptom to the configuration change.",
    "got_lucky": "Only one tenant had changed its issuer URL since the deploy.",
    "prevention": "A per-tenant SSO error-rate alert and a change checklist for SSO settings.",
    "customer_summary": (
        "On the day of the incident, SSO logins for your organisation failed for about two "
        "hours after an issuer URL change. We fixed the configuration, changed our service "
        "to pick up such changes without a restart, and added monitoring that would have "
        "caught it within minutes."
    ),
}
# title, kind, owner, days from now (negative: overdue), status
ACTIONS = [
    ("Alert on the SSO error rate per tenant", "detect", "nina.petrova", -2, "open"),
    ("Read the SAML issuer from the live configuration", "prevent", "engineer", 12, "open"),
    ("Synthetic SSO login after every SSO settings change", "detect", "nina.petrova", 25, "open"),
    ("Restart the validators and correct the issuer URL", "mitigate", "engineer", -1, "done"),
    ("Add SSO settings to the change checklist", "process", "manager", 20, "open"),
]  # fmt: skip
# Ratings lean on the better side, as real CSAT does, and improve a little over the quarter.
WEIGHTS = (3, 5, 12, 35, 45)
RESPONSE_RATE = 0.35
COMMENTS = {
    1: "Took far too long and nobody told us what was going on.",
    2: "Fixed in the end, but we had to chase for updates.",
    3: "OK.",
    4: "Quick and clear, thanks.",
    5: "Great support, solved quickly and kept us informed.",
}


class Command(BaseCommand):
    help = "Load the demo postmortem of SUP-456 and customer satisfaction ratings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when a postmortem is already published",
        )

    def handle(self, *args, if_empty: bool, **options):
        # Drafts may already be there: the engine opens them for the demo's resolved incidents.
        if if_empty and Postmortem.objects.filter(state=State.PUBLISHED).exists():
            self.stdout.write("A postmortem is already published: none loaded.")
            return
        now = clock.now()
        made = self._postmortem(now)
        rated = self._ratings(now)
        self.stdout.write(f"{made} postmortem published; {rated} satisfaction ratings.")

    @transaction.atomic
    def _postmortem(self, now) -> int:
        ticket = Ticket.objects.filter(number=DEMO_P1).first()
        if ticket is None or ticket.status not in (Status.RESOLVED, Status.CLOSED):
            self.stdout.write("The demo P1 (SUP-456) is not there or not resolved: no postmortem.")
            return 0
        people = {
            u.username: u
            for u in User.objects.filter(username__in=["engineer", "nina.petrova", "manager"])
        }
        author, manager = people.get("engineer"), people.get("manager")
        if author is None or manager is None:
            return 0
        resolved_at = ticket.resolved_at or now
        pm = services.postmortem_open_draft(ticket_id=ticket.pk, now=resolved_at)
        if pm is None or pm.state != State.DRAFT:
            return 0
        at = resolved_at + timedelta(hours=2)
        for field, text in SECTIONS.items():
            services.postmortem_save_section(
                postmortem=pm, field=field, text=text, actor=author, now=at
            )
        for title, kind, owner, days, status in ACTIONS:
            item = services.action_add(
                postmortem=pm, title=title, kind=kind, actor=author,
                owner=people.get(owner), due_at=now + timedelta(days=days), now=at,
            )  # fmt: skip
            if status != "open":
                services.action_update(
                    item=item, actor=author, now=at, title=title, kind=kind, owner=item.owner,
                    due_at=item.due_at, link="", status=status,
                )  # fmt: skip
        for entry in pm.entries.filter(kind__in=("created", "workaround", "resolved")):
            services.timeline_entry_update(entry=entry, starred=True, actor=author, now=at)
        services.postmortem_submit(postmortem=pm, reviewer=manager, actor=author, now=at)
        services.postmortem_publish(postmortem=pm, actor=manager, now=at + timedelta(hours=3))
        return 1

    @transaction.atomic
    def _ratings(self, now) -> int:
        """One survey per resolution of every resolved demo ticket with a customer requester;
        about a third answered. SUP-456's survey is left unanswered, so the portal shows the
        rating card on it."""
        rng = random.Random(21)
        resolutions = (
            TicketEvent.objects.filter(kind=EventKind.STATUS, after=Status.RESOLVED)
            .filter(ticket__requester__role="customer")
            .filter(~Exists(SatisfactionSurvey.objects.filter(resolution=OuterRef("pk"))))
            .values_list("pk", "ticket_id", "ticket__number", "ticket__requester_id", "created_at")
            .order_by("created_at")
        )
        rows, rated = [], 0
        horizon = now - timedelta(days=90)
        for event_id, ticket_id, number, customer_id, at in resolutions.iterator():
            survey = SatisfactionSurvey(
                ticket_id=ticket_id, resolution_id=event_id, customer_id=customer_id,
                token_hash=hash_token(secrets.token_urlsafe(24)), created_at=at,
                expires_at=at + timedelta(days=14),
            )  # fmt: skip
            if number != DEMO_P1 and rng.random() < RESPONSE_RATE:
                # Later in the quarter a little better: the trend the dashboard shows.
                progress = min(1.0, max(0.0, (at - horizon) / timedelta(days=90)))
                weights = [
                    w * (1.3 - 0.6 * progress) if i < 2 else w for i, w in enumerate(WEIGHTS)
                ]
                rating = rng.choices(range(1, 6), weights=weights)[0]
                survey.rating = rating
                survey.comment = COMMENTS[rating] if rng.random() < 0.4 else ""
                survey.rated_at = min(now, at + timedelta(hours=rng.uniform(1, 72)))
                survey.rated_via = rng.choice(("email", "email", "portal"))
                rated += 1
            rows.append(survey)
        SatisfactionSurvey.objects.bulk_create(rows, batch_size=2000)
        return rated
