"""Commit a P1 ticket, then die by SIGKILL before any after-commit work runs.

    python -m tests.crash.commit_p1_and_die <actor id> <organization id> <team id>

The kill is the first on_commit callback, registered before the ticket is created, so it runs
before the ticket_created signal that would enqueue the page: the ticket is durable and its page
was never asked for. Prints the ticket's id (before the commit) for the crash test to find it.
"""

from __future__ import annotations

import os
import signal
import sys

import django


def main(actor_id: int, organization_id: int, team_id: int) -> None:
    django.setup()
    from django.db import transaction

    from helpdesk.models import User
    from tests.factories import make_ticket
    from tickets.models import Organization, Team

    actor = User.objects.get(pk=actor_id)
    with transaction.atomic():
        transaction.on_commit(lambda: os.kill(os.getpid(), signal.SIGKILL))
        ticket = make_ticket(
            actor=actor,
            organization=Organization.objects.get(pk=organization_id),
            severity=1,
            assignee=actor,
            team=Team.objects.get(pk=team_id),
        )
        print(ticket.pk, flush=True)
    sys.exit("still alive after the commit: the kill did not run")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
