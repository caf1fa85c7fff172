from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.factories import make_ticket
from tickets import services
from triage.models import Decision, Suggestion, TriageRun

pytestmark = pytest.mark.django_db


def test_seed_triage_triages_open_tickets_and_records_worked_ones(org_b, agent):
    open_ticket = make_ticket(actor=agent, organization=org_b, title="Exports fail")
    worked = make_ticket(actor=agent, organization=org_b, title="Login page typo", assignee=agent)
    services.ticket_transition(ticket=worked, to="investigating", actor=agent)
    services.ticket_transition(ticket=worked, to="resolved", actor=agent, message="Fixed.")
    call_command("seed_triage", if_empty=True)
    assert TriageRun.objects.filter(ticket=open_ticket).count() == 1
    pending = Suggestion.objects.filter(ticket=open_ticket)
    assert {s.decision for s in pending} == {Decision.PENDING}
    decided = Suggestion.objects.filter(ticket=worked, kind="severity").get()
    assert decided.decision in (Decision.ACCEPTED, Decision.OVERRIDDEN)
    assert decided.decided_by_id == agent.pk
    worked.refresh_from_db()
    assert f"P{worked.severity}" == (decided.decided_value or decided.value)

    call_command("seed_triage", if_empty=True)
    assert TriageRun.objects.count() == 2


def test_seed_triage_completes_the_runs_the_demo_queued(
    org_b, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(actor=agent, organization=org_b, title="Exports fail")
    assert TriageRun.objects.get(ticket=ticket).status == "pending"
    call_command("seed_triage", if_empty=True)
    run = TriageRun.objects.get(ticket=ticket)
    assert run.status == "done"
    assert Suggestion.objects.filter(run=run).exists()
