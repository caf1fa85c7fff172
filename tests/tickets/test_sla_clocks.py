"""SLA clocks applied by the ticket services, and the engine's warnings and breaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from helpdesk import engine
from helpdesk.models import Notification, OutboundMessage
from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import notifications, services
from tickets.choices import Status
from tickets.models import SlaEvent, SlaKind, SlaTarget, TicketEvent

pytestmark = pytest.mark.django_db

# Monday 2026-11-23 10:00 UTC
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def targets(ticket) -> dict[str, SlaTarget]:
    return {t.kind: t for t in SlaTarget.objects.filter(ticket=ticket)}


@pytest.fixture
def p1(agent, org_a):
    with time_machine.travel(T0, tick=False):
        return make_ticket(actor=agent, organization=org_a, severity=1, assignee=agent)


def test_create_applies_the_playbook_targets(p1):
    t = targets(p1)
    assert set(t) == {SlaKind.FIRST_RESPONSE, SlaKind.RESOLUTION}  # update starts after 1st reply
    assert t[SlaKind.FIRST_RESPONSE].due_at == T0 + 15 * M
    assert t[SlaKind.FIRST_RESPONSE].warn_at == T0 + 12 * M  # 20% of 15 min
    assert t[SlaKind.RESOLUTION].due_at == T0 + 4 * H
    assert t[SlaKind.RESOLUTION].warn_at == T0 + 4 * H - 48 * M  # 20% of 4 h
    p1.refresh_from_db()
    assert (p1.sla_kind, p1.sla_due_at) == (SlaKind.FIRST_RESPONSE, T0 + 15 * M)
    assert "P1 Critical: 15 min of 24/7 time" in t[SlaKind.FIRST_RESPONSE].explanation


def test_warning_lead_is_capped_at_one_hour(agent, org_a):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org_a, severity=3)
    resolution = targets(ticket)[SlaKind.RESOLUTION]  # 72 h: 20% would be 14.4 h
    assert resolution.due_at - resolution.warn_at == H


def test_weekday_calendar_skips_the_weekend(agent, org_a):
    friday_evening = datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
    with time_machine.travel(friday_evening, tick=False):
        ticket = make_ticket(actor=agent, organization=org_a, severity=3)
    # P3: 4 h first response on Weekdays 24x5: 2 h on Friday, 2 h from Monday 00:00.
    assert targets(ticket)[SlaKind.FIRST_RESPONSE].due_at == datetime(2026, 11, 30, 2, tzinfo=UTC)


def test_first_public_reply_fulfils_and_starts_the_update_clock(p1, agent):
    with time_machine.travel(T0 + 5 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="On it")
    t = targets(p1)
    assert t[SlaKind.FIRST_RESPONSE].fulfilled_at == T0 + 5 * M
    assert t[SlaKind.FIRST_RESPONSE].next_check_at is None
    assert (t[SlaKind.UPDATE].cycle, t[SlaKind.UPDATE].due_at) == (1, T0 + 35 * M)
    with time_machine.travel(T0 + 20 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="Update")
    update = targets(p1)[SlaKind.UPDATE]
    assert (update.cycle, update.started_at, update.due_at) == (2, T0 + 20 * M, T0 + 50 * M)


def test_internal_note_fulfils_nothing(p1, agent):
    with time_machine.travel(T0 + 5 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="note", is_internal=True)
    assert targets(p1)[SlaKind.FIRST_RESPONSE].fulfilled_at is None


def test_waiting_on_customer_pauses_and_resume_keeps_used_time(p1, agent, customer_a):
    with time_machine.travel(T0 + 1 * H, tick=False):
        services.ticket_transition(
            ticket=p1, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Which region?"
        )
    resolution = targets(p1)[SlaKind.RESOLUTION]
    assert resolution.paused_since == T0 + 1 * H
    assert resolution.next_check_at is None
    p1.refresh_from_db()
    assert p1.sla_paused is True
    assert p1.sla_due_at is None
    with time_machine.travel(T0 + 3 * H, tick=False):
        services.comment_add(ticket=p1, author=customer_a, body="Here are the logs")
    resolution = targets(p1)[SlaKind.RESOLUTION]
    assert resolution.paused_since is None
    assert resolution.due_at == T0 + 6 * H  # 4 h target + the 2 h pause
    assert "1 pause(s) of 2 h" in resolution.explanation


def test_reopen_resumes_resolution_with_time_already_used(p1, agent):
    with time_machine.travel(T0 + 1 * H, tick=False):
        services.ticket_transition(ticket=p1, to=Status.RESOLVED, actor=agent)
    assert targets(p1)[SlaKind.RESOLUTION].fulfilled_at == T0 + 1 * H
    with time_machine.travel(T0 + 25 * H, tick=False):
        services.ticket_transition(ticket=p1, to=Status.INVESTIGATING, actor=agent)
    resolution = targets(p1)[SlaKind.RESOLUTION]
    assert resolution.fulfilled_at is None
    assert resolution.due_at == T0 + 28 * H  # 1 h used, 3 h left after the reopen
    kinds = list(
        SlaEvent.objects.filter(ticket=p1, target_kind="resolution").values_list("kind", flat=True)
    )
    assert kinds == ["applied", "fulfilled", "paused", "resumed"]


def test_severity_change_reapplies_from_creation(p1, agent):
    with time_machine.travel(T0 + 10 * M, tick=False):
        services.ticket_update(ticket=p1, actor=agent, changes={"severity": 2})
    # P2: 1 h first response on the weekday calendar, from creation.
    assert targets(p1)[SlaKind.FIRST_RESPONSE].due_at == T0 + 1 * H


def test_engine_warns_then_breaches_once_each(p1, agent, org_a):
    lead = make_agent(email="lead@example.com")
    team = TeamFactory(lead=lead)
    services.ticket_update(ticket=p1, actor=agent, changes={"team": team})
    with time_machine.travel(T0 + 12 * M, tick=False):
        engine.tick()
        engine.tick()
    assert SlaEvent.objects.filter(ticket=p1, kind="warned").count() == 1
    # Only the SLA notices: a P1 also pages (a notice of its own kind), which is not the engine's.
    assert Notification.objects.filter(user=agent, kind=notifications.SLA).count() == 1
    with time_machine.travel(T0 + 15 * M, tick=False):
        engine.tick()
        engine.tick()
    breaches = SlaEvent.objects.filter(ticket=p1, kind="breached")
    assert [(b.target_kind, b.at) for b in breaches] == [(SlaKind.FIRST_RESPONSE, T0 + 15 * M)]
    p1.refresh_from_db()
    assert p1.sla_breached_at == T0 + 15 * M
    assert p1.sla_credit_review is True  # enterprise customer
    assert set(
        Notification.objects.filter(title__startswith="SLA breached").values_list(
            "user__username", flat=True
        )
    ) == {agent.username, lead.username}
    emails = OutboundMessage.objects.filter(dedup_key__contains=":breached:")
    assert sorted(emails.values_list("recipient", flat=True)) == sorted(
        [agent.email, "lead@example.com"]
    )
    assert TicketEvent.objects.filter(ticket=p1, kind="sla").count() == 2
    assert targets(p1)[SlaKind.FIRST_RESPONSE].next_check_at is None


def test_update_reminder_links_to_the_status_update_template(p1, agent):
    with time_machine.travel(T0 + 1 * M, tick=False):
        services.comment_add(ticket=p1, author=agent, body="On it")
    with time_machine.travel(T0 + 1 * M + 24 * M, tick=False):  # 30 min cadence, warn at 80%
        engine.tick()
    note = Notification.objects.get(user=agent, title__startswith="Customer update due")
    assert note.url.endswith("?template=status-update#composer")


def test_a_late_tick_records_the_breach_without_a_stale_warning(p1):
    with time_machine.travel(T0 + 2 * H, tick=False):
        engine.tick()
    kinds = sorted(
        SlaEvent.objects.filter(ticket=p1, kind__in=["warned", "breached"]).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["breached"]


def test_closing_stops_every_clock(p1, agent):
    with time_machine.travel(T0 + 1 * M, tick=False):
        services.ticket_transition(ticket=p1, to=Status.CLOSED, actor=agent)
    assert not SlaTarget.objects.filter(ticket=p1, next_check_at__isnull=False).exists()
    with time_machine.travel(T0 + 5 * H, tick=False):
        engine.tick()
    assert not SlaEvent.objects.filter(ticket=p1, kind="breached").exists()


def test_tier_change_reapplies_open_tickets(agent, org_a):
    from tickets.models import BusinessCalendar, SlaPolicy

    SlaPolicy.objects.create(
        name="Free tier P1",
        position=0,
        severity=1,
        tier="free",
        calendar=BusinessCalendar.objects.get(name="24/7"),
        first_response=2 * H,
        resolution=24 * H,
    )
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, organization=org_a, severity=1)  # enterprise: 15 min
        closed = make_ticket(actor=agent, organization=org_a, severity=1)
        services.ticket_transition(ticket=closed, to=Status.CLOSED, actor=agent)
    with time_machine.travel(T0 + 5 * M, tick=False):
        count = services.organization_set_tier(organization=org_a, tier="free", actor=agent)
    assert count == 1
    assert targets(ticket)[SlaKind.FIRST_RESPONSE].due_at == T0 + 2 * H
    assert targets(closed)[SlaKind.FIRST_RESPONSE].due_at == T0 + 15 * M  # closed: left alone


def test_a_backlog_drains_tick_after_tick_each_firing_the_next(agent, org_a, monkeypatch):
    """A tick stays within its budget (one batch here) and fires the next one at once while rows
    are still due; once the backlog is gone it fires nothing, and nothing was done twice."""
    from helpdesk import tasks
    from tickets.sla import engine as sla_engine

    with time_machine.travel(T0, tick=False):
        tickets = [
            make_ticket(actor=agent, organization=org_a, severity=1, assignee=agent)
            for _ in range(5)
        ]
    monkeypatch.setattr(sla_engine, "BATCH", 2)
    monkeypatch.setattr(sla_engine, "TIME_BUDGET_SECONDS", 0)  # one batch per tick
    fired = []
    monkeypatch.setattr(tasks.engine_tick_task, "delay", lambda: fired.append(1))
    handled = []
    with time_machine.travel(T0 + 5 * H, tick=False):  # every target of every ticket is late
        due = SlaTarget.objects.filter(next_check_at__lte=T0 + 5 * H).count()
        while True:
            before = len(fired)
            tasks.engine_tick_task()
            handled.append(SlaEvent.objects.filter(kind="breached").count())
            if len(fired) == before:
                break
            assert len(handled) <= due, "the backlog never drained"
    assert due == 10  # first response and resolution of each ticket
    assert handled == [2, 4, 6, 8, 10, 10]
    assert len(fired) == 5
    for ticket in tickets:
        assert SlaEvent.objects.filter(ticket=ticket, kind="breached").count() == 2
    assert OutboundMessage.objects.filter(dedup_key__contains=":breached:").count() == 10
