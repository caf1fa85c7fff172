"""Demo macros: the playbook's reply templates (seed 003), each with the fields it goes with."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from tickets.choices import Status
from tickets.models import Macro, ReplyTemplate

# name, reply template slug, status, tags
MACROS = [
    ("Acknowledge and investigate", "initial-response", Status.INVESTIGATING, []),
    ("Ask for the details we need", "information-request", Status.WAITING_ON_CUSTOMER,
     ["needs-info"]),
    ("Send a status update", "status-update", "", []),
    ("Known issue: share the workaround", "known-issue-workaround", Status.IN_PROGRESS,
     ["known-issue"]),
    ("Resolve with a summary", "resolution", Status.RESOLVED, []),
    ("Close as configuration error", "close-configuration", Status.RESOLVED, ["configuration"]),
    ("Close as expected behaviour", "close-expected-behaviour", Status.RESOLVED,
     ["expected-behaviour"]),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load shared demo macros built on the playbook's reply templates."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when there already are macros"
        )

    @transaction.atomic
    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Macro.objects.exists():
            self.stdout.write("There already are macros: none loaded.")
            return
        bodies = dict(ReplyTemplate.objects.values_list("slug", "body"))
        made = 0
        for name, slug, status, tags in MACROS:
            if slug not in bodies:
                continue  # the template was removed in the admin
            _, created = Macro.objects.get_or_create(
                name=name,
                owner=None,
                defaults={"body": bodies[slug], "set_status": status, "add_tags": tags},
            )
            made += created
        self.stdout.write(f"{made} macros loaded.")
