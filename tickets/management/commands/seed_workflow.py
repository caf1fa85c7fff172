"""Demo merges and follow-ups: two Acme reports of one export failure, merged into the first,
and a closed webhook ticket with a customer's follow-up. Needs `seed_demo`'s people."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from helpdesk.models import User
from tickets import services
from tickets.choices import Category, Channel, Severity, Status
from tickets.models import Organization, Ticket


class Command(BaseCommand):
    help = "Load a demo merge and a demo follow-up (after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when a ticket was already merged or followed up",
        )

    @transaction.atomic
    def handle(self, *args, if_empty: bool, **options):
        seeded = Ticket.objects.filter(merged_into__isnull=False) | Ticket.objects.filter(
            follow_up_of__isnull=False
        )
        if if_empty and seeded.exists():
            self.stdout.write("There already are merged or followed-up tickets: none loaded.")
            return
        try:
            agent = User.objects.get(username="agent")
            acme = Organization.objects.get(slug="acme")
        except (User.DoesNotExist, Organization.DoesNotExist) as exc:
            raise CommandError("Run seed_demo first: the demo's people are missing.") from exc
        dana, raj = (
            c.user for c in acme.contacts.select_related("user").order_by("pk")[:2]
        )  # the portal's `customer` login is Acme's first contact
        common = {"category": Category.INTEGRATION, "channel": Channel.EMAIL}
        original = services.ticket_create(
            actor=dana, organization=acme, requester=dana, severity=Severity.P2,
            title="CSV export of invoices fails with a 500",
            description="Since this morning every invoice export ends with a 500 error.",
            **common,
        )  # fmt: skip
        again = services.ticket_create(
            actor=raj, organization=acme, requester=raj, severity=Severity.P2,
            title="Invoice export broken",
            description="Exporting invoices to CSV returns Internal Server Error (req f81c2a).",
            **common,
        )  # fmt: skip
        services.comment_add(
            ticket=again, author=agent, body="Thanks Raj, which date range were you exporting?"
        )
        services.ticket_merge(sources=[again], target=original, actor=agent)

        webhooks = services.ticket_create(
            actor=dana, organization=acme, requester=dana, severity=Severity.P3,
            title="Webhook signatures fail after rotating the secret",
            description="Our receiver rejects every delivery since we rotated the secret.",
            category=Category.INTEGRATION, tags=["webhooks"],
        )  # fmt: skip
        services.ticket_transition(
            ticket=webhooks,
            to=Status.RESOLVED,
            actor=agent,
            message="Deliveries are signed with the new secret about a minute after rotation.",
        )
        services.ticket_transition(ticket=webhooks, to=Status.CLOSED, actor=dana)
        services.ticket_follow_up(
            ticket=webhooks,
            actor=dana,
            title="Follow-up: webhook signatures fail again",
            description="It happened again after today's rotation, for ten minutes this time.",
        )
        self.stdout.write("Loaded a merge and a follow-up.")
