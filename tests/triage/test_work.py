from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk import engine
from tests.factories import make_contact
from tests.triage.factories import report
from tickets import services
from triage import pipeline, work
from triage.models import MAX_ATTEMPTS, RunStatus, Suggestion, TriageRun, Trigger
from triage.tasks import triage_run_task

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _module():
    return next(m for m in engine.registered() if m.name == "triage")


def test_new_tickets_and_customer_replies_are_queued_not_triaged_inline(
    org_b, agent, django_capture_on_commit_callbacks
):
    customer = make_contact(org_b, username="c1")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = report(org_b, at=T0, actor=agent)
    run = TriageRun.objects.get(ticket=ticket)
    assert (run.trigger, run.status) == (Trigger.CREATED, RunStatus.PENDING)
    assert not Suggestion.objects.filter(ticket=ticket).exists()

    triage_run_task(run.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=agent, body="Which region?")
    assert TriageRun.objects.filter(ticket=ticket).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=customer, body="EU, request id req_42")
        services.comment_add(ticket=ticket, author=customer, body="and since 09:00")
    pending = TriageRun.objects.filter(ticket=ticket, status=RunStatus.PENDING)
    assert [r.trigger for r in pending] == [Trigger.CUSTOMER_INFO]


def test_the_task_is_idempotent(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    run = work.enqueue(ticket_id=ticket.pk, trigger=Trigger.CREATED, now=T0)
    triage_run_task(run.pk)
    stored = Suggestion.objects.filter(ticket=ticket).count()
    triage_run_task(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert stored >= 4
    assert Suggestion.objects.filter(ticket=ticket).count() == stored


def test_a_failure_leaves_the_ticket_untriaged_and_is_retried(org_b, agent, monkeypatch, caplog):
    ticket = report(org_b, at=T0, actor=agent)
    run = work.enqueue(ticket_id=ticket.pk, trigger=Trigger.CREATED, now=T0)

    def broken(**kwargs):
        raise RuntimeError("rules crashed")

    monkeypatch.setattr(pipeline, "analyse", broken)
    assert engine.run_module(_module(), T0) == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.PENDING, 1)
    assert run.error == "RuntimeError: rules crashed"
    assert run.due_at == T0 + timedelta(minutes=1)
    assert not Suggestion.objects.filter(ticket=ticket).exists()
    assert "triage of ticket" in caplog.text
    # Not due yet: the next tick leaves it alone.
    assert engine.run_module(_module(), T0 + timedelta(seconds=30)) == 0

    monkeypatch.undo()
    engine.run_module(_module(), T0 + timedelta(minutes=1))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert Suggestion.objects.filter(ticket=ticket, run=run, kind="severity").count() == 1


def test_retries_are_bounded(org_b, agent, monkeypatch):
    ticket = report(org_b, at=T0, actor=agent)
    run = work.enqueue(ticket_id=ticket.pk, trigger=Trigger.CREATED, now=T0)
    monkeypatch.setattr(pipeline, "analyse", lambda **kw: 1 / 0)
    now = T0
    for _ in range(MAX_ATTEMPTS + 2):
        engine.run_module(_module(), now)
        now += timedelta(hours=1)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.FAILED, MAX_ATTEMPTS)


def test_the_sweep_triages_a_ticket_whose_run_was_never_written(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)  # no receiver ran: commit callbacks not executed
    engine.run_module(_module(), T0 + timedelta(minutes=2))
    run = TriageRun.objects.get(ticket=ticket)
    assert run.status == RunStatus.DONE
    assert run.trigger == Trigger.CREATED


def test_a_ticket_finished_before_its_run_gets_no_suggestions(org_b, agent):
    ticket = report(org_b, at=T0, actor=agent)
    run = work.enqueue(ticket_id=ticket.pk, trigger=Trigger.CREATED, now=T0)
    services.ticket_transition(ticket=ticket, to="investigating", actor=agent)
    services.ticket_transition(ticket=ticket, to="resolved", actor=agent, message="Done.")
    triage_run_task(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert not Suggestion.objects.filter(ticket=ticket).exists()
