"""Demo triage: the open tickets get their suggestions, waiting for the agents; a sample of the
tickets already worked gets suggestions decided as their assignee worked them (the suggestion
accepted when the ticket ended with its value, overridden with the value it ended with
otherwise), so the dashboard's acceptance rates have a history."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from helpdesk import clock
from tickets.choices import OPEN_STATUSES, Status
from tickets.models import Ticket
from triage.decisions import current_value, suggestion_accept, suggestion_override
from triage.models import Decision, Kind, RunStatus, Suggestion, TriageRun, Trigger
from triage.pipeline import triage_ticket

OPEN_LIMIT = 400
WORKED_LIMIT = 150
DECIDED_KINDS = (Kind.SEVERITY, Kind.CATEGORY, Kind.ISSUE_TYPE, Kind.ENVIRONMENT)


class Command(BaseCommand):
    help = "Triage the demo's open tickets, and record decisions on some worked ones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when triage has already run"
        )

    def handle(self, *args, if_empty: bool, **options):
        # The engine may already have triaged a few demo tickets (seed_demo catches the SLA up
        # with whole ticks); what marks a demo as done is a decision.
        worked_on = Suggestion.objects.exclude(decision__in=(Decision.PENDING, Decision.SUPERSEDED))
        if if_empty and worked_on.exists():
            self.stdout.write("Triage decisions already exist; nothing to do.")
            return
        # The demo's tickets were announced as they were created: their runs wait for a worker
        # that is not running yet. This completes them here, so the panel is ready on first view.
        untriaged = ~Exists(
            TriageRun.objects.filter(ticket_id=OuterRef("pk"), status=RunStatus.DONE)
        )
        now = clock.now()
        opened = Ticket.objects.filter(untriaged, status__in=OPEN_STATUSES).order_by(
            "created_at", "pk"
        )[:OPEN_LIMIT]
        count = 0
        for ticket in opened:
            triage_ticket(ticket, now=now, run=_pending(ticket), trigger=Trigger.CREATED)
            count += 1
        unsuggested = ~Exists(Suggestion.objects.filter(ticket_id=OuterRef("pk")))
        worked = (
            Ticket.objects.filter(
                unsuggested, status__in=(Status.RESOLVED, Status.CLOSED), assignee__isnull=False
            )
            .select_related("assignee")
            .order_by("-resolved_at", "-pk")[:WORKED_LIMIT]
        )
        decided = 0
        for ticket in worked:
            at = ticket.resolved_at or ticket.updated_at
            run = triage_ticket(
                ticket, now=ticket.created_at, run=_pending(ticket), trigger=Trigger.CREATED
            ).run_id
            for s in Suggestion.objects.filter(run_id=run, kind__in=DECIDED_KINDS):
                actual = current_value(s.kind, ticket)
                if actual == s.value:
                    suggestion_accept(suggestion=s, actor=ticket.assignee, now=at)
                else:
                    suggestion_override(suggestion=s, actor=ticket.assignee, value=actual, now=at)
                decided += 1
        self.stdout.write(
            f"Triaged {count} open tickets; {decided} decisions on {len(worked)} worked ones."
        )


def _pending(ticket: Ticket) -> TriageRun | None:
    return TriageRun.objects.filter(ticket=ticket, status=RunStatus.PENDING).first()
