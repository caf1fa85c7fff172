"""Pages: starting (receivers, sweep), escalating on time, acknowledging, the frozen policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalation.models import Page, PageReason, PageRecipient, PageState
from escalation.paging import engine as paging_engine
from escalation.paging import services
from escalation.paging.tasks import page_start_task
from helpdesk.models import Notification, OutboundMessage, Role
from tests.escalation.oncall_factories import make_schedule
from tests.escalation.paging_factories import make_policy
from tests.factories import OrganizationFactory, make_agent, make_ticket
from tickets import services as ticket_services
from tickets.choices import EventKind
from tickets.models import SlaEvent, SlaEventKind, TicketEvent

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def people():
    return {
        "first": make_agent(
            username="first", first_name="Fay", last_name="First", role=Role.ENGINEER
        ),
        "second": make_agent(
            username="second", first_name="Sam", last_name="Second", role=Role.ENGINEER
        ),
        "oncall": make_agent(
            username="oncall", first_name="Olu", last_name="Oncall", role=Role.ENGINEER
        ),
        "reporter": make_agent(username="reporter", first_name="Rita", last_name="Reporter"),
    }


@pytest.fixture
def policy(people):
    schedule = make_schedule(members=[people["oncall"]], now=T0 - timedelta(days=1))
    return make_policy(
        {"users": [people["first"]], "schedule": schedule, "wait_minutes": 5},
        {"users": [people["second"]], "wait_minutes": 10},
        severity=1,
    )


def _p1(people, **fields):
    return make_ticket(actor=people["reporter"], severity=1, title="Checkout down", **fields)


def _paged(page) -> list[tuple[int, int, str]]:
    return sorted(
        PageRecipient.objects.filter(page=page).values_list("round", "level", "user__username")
    )


def _run(now):
    with time_machine.travel(now, tick=False):
        return paging_engine.run(now)


def test_a_p1_pages_level_one_at_once_with_its_schedules_oncall(people, policy):
    with time_machine.travel(T0, tick=False):
        ticket = _p1(people)
        page_start_task(ticket.pk)
    page = Page.objects.get(ticket=ticket)
    assert (page.reason, page.state, page.level) == (PageReason.SEVERITY, PageState.TRIGGERED, 0)
    assert _paged(page) == [(0, 0, "first"), (0, 0, "oncall")]
    assert page.next_step_at == T0 + timedelta(minutes=5)
    emails = OutboundMessage.objects.filter(channel="email").order_by("recipient")
    assert [m.recipient for m in emails] == ["first@example.com", "oncall@example.com"]
    assert "Acknowledge: http" in emails[0].body
    assert "Resolve: http" in emails[0].body
    bell = Notification.objects.filter(kind="page").values_list("user__username", flat=True)
    assert sorted(bell) == ["first", "oncall"]
    summaries = [
        e.after["summary"] for e in TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PAGE)
    ]
    assert summaries[0].startswith("started an on-call page (P1 ticket; policy P1 and security)")
    assert summaries[1] == ("paged level 1: Fay First (in-app, email), Olu Oncall (in-app, email)")


def test_without_acknowledgement_the_next_level_is_paged_after_its_wait(people, policy):
    with time_machine.travel(T0, tick=False):
        page_start_task(_p1(people).pk)
    page = Page.objects.get()
    assert _run(T0 + timedelta(minutes=4, seconds=59)) == 0
    assert _run(T0 + timedelta(minutes=5)) == 1
    page.refresh_from_db()
    assert page.level == 1
    assert page.next_step_at == T0 + timedelta(minutes=15)
    assert _paged(page) == [(0, 0, "first"), (0, 0, "oncall"), (0, 1, "second")]
    # After the last level, with no repeat, the page stays open but pages nobody more.
    assert _run(T0 + timedelta(minutes=15)) == 1
    page.refresh_from_db()
    assert page.next_step_at is None
    assert _run(T0 + timedelta(hours=1)) == 0
    assert len(_paged(page)) == 3


def test_repeat_runs_the_levels_again(people):
    make_policy({"users": [people["first"]], "wait_minutes": 1}, severity=1, repeat=1)
    with time_machine.travel(T0, tick=False):
        page_start_task(_p1(people).pk)
    _run(T0 + timedelta(minutes=1))
    _run(T0 + timedelta(minutes=2))
    page = Page.objects.get()
    assert _paged(page) == [(0, 0, "first"), (1, 0, "first")]
    assert page.next_step_at is None


def test_acknowledging_stops_the_escalation_and_twice_is_harmless(people, policy):
    with time_machine.travel(T0, tick=False):
        page_start_task(_p1(people).pk)
    page = Page.objects.get()
    now = T0 + timedelta(minutes=2)
    assert services.page_acknowledge(page=page, actor=people["first"], via="web", now=now)
    assert not services.page_acknowledge(page=page, actor=people["oncall"], via="web", now=now)
    page.refresh_from_db()
    assert (page.state, page.acknowledged_by, page.next_step_at) == (
        PageState.ACKNOWLEDGED,
        people["first"],
        None,
    )
    assert _run(T0 + timedelta(hours=1)) == 0
    assert [r[2] for r in _paged(page)] == ["first", "oncall"]
    ack = TicketEvent.objects.filter(kind=EventKind.PAGE, actor=people["first"]).get()
    assert ack.after["summary"] == "acknowledged the on-call page (web) after 2 min 0 s, at level 1"


def test_the_page_keeps_the_levels_it_started_with(people, policy):
    with time_machine.travel(T0, tick=False):
        page_start_task(_p1(people).pk)
    level = policy.levels.get(position=2)
    level.users.set([people["reporter"]])
    _run(T0 + timedelta(minutes=5))
    assert [r[2] for r in _paged(Page.objects.get()) if r[1] == 1] == ["second"]


def test_the_sweep_starts_a_missing_page_once(people, policy):
    # The ticket commits, and the process dies before any receiver enqueues the page.
    with time_machine.travel(T0, tick=False):
        ticket = _p1(people)
    assert not Page.objects.exists()
    assert _run(T0 + timedelta(seconds=2)) == 1
    assert _run(T0 + timedelta(seconds=4)) == 0
    page = Page.objects.get(ticket=ticket)
    assert _paged(page) == [(0, 0, "first"), (0, 0, "oncall")]
    assert OutboundMessage.objects.filter(channel="email").count() == 2
    # The task arriving late changes nothing either.
    page_start_task(ticket.pk)
    assert Page.objects.count() == 1


def test_a_security_ticket_pages_once_as_security(people, policy):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=people["reporter"], severity=3, is_security=True)
        page_start_task(ticket.pk)
        page_start_task(ticket.pk)
    assert list(Page.objects.values_list("reason", flat=True)) == [PageReason.SECURITY]


def test_raising_to_p1_pages(people, policy, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=people["reporter"], severity=3)
        assert _run(T0) == 0
        with django_capture_on_commit_callbacks() as callbacks:
            ticket_services.ticket_update(
                ticket=ticket, actor=people["reporter"], changes={"severity": 1}
            )
        assert callbacks  # the signal; its receiver enqueues page_start_task
        page_start_task(ticket.pk)
    assert Page.objects.get().reason == PageReason.SEVERITY


def test_a_p3_pages_nobody(people, policy):
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=people["reporter"], severity=3)
        page_start_task(ticket.pk)
    assert _run(T0 + timedelta(minutes=1)) == 0
    assert not Page.objects.exists()


def test_a_breach_pages_once_per_the_policy(people):
    make_policy({"users": [people["first"]]}, name="All breaches", severity=3)
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=people["reporter"], severity=3)
    breach = SlaEvent.objects.create(
        ticket=ticket,
        target_kind="first_response",
        cycle=1,
        kind=SlaEventKind.BREACHED,
        at=T0 + timedelta(hours=4),
        due_at=T0 + timedelta(hours=4),
    )
    assert _run(T0 + timedelta(hours=4, seconds=1)) == 1
    assert _run(T0 + timedelta(hours=4, seconds=3)) == 0
    page = Page.objects.get()
    assert (page.reason, page.sla_event_id) == (PageReason.SLA_BREACH, breach.pk)


def test_a_breach_without_a_policy_that_wants_it_pages_nobody(people):
    make_policy({"users": [people["first"]]}, severity=3, page_on_breach=False)
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=people["reporter"], severity=3)
    SlaEvent.objects.create(
        ticket=ticket, target_kind="resolution", cycle=1, kind=SlaEventKind.BREACHED, at=T0
    )
    assert _run(T0 + timedelta(seconds=1)) == 0


def test_a_p2_without_agent_activity_for_two_hours_pages(people):
    make_policy({"users": [people["second"]]}, severity=2, page_on_breach=False)
    customer_org = OrganizationFactory()
    with time_machine.travel(T0, tick=False):
        quiet = make_ticket(actor=people["reporter"], organization=customer_org, severity=2)
        busy = make_ticket(actor=people["reporter"], organization=customer_org, severity=2)
    with time_machine.travel(T0 + timedelta(hours=1, minutes=30), tick=False):
        ticket_services.comment_add(ticket=busy, author=people["reporter"], body="Looking.")
    assert _run(T0 + timedelta(hours=1, minutes=59)) == 0
    assert _run(T0 + timedelta(hours=2, minutes=1)) == 1
    assert _run(T0 + timedelta(hours=2, minutes=5)) == 0  # one open page, and not every tick
    assert list(Page.objects.values_list("ticket", "reason")) == [
        (quiet.pk, PageReason.NO_PROGRESS)
    ]


def test_without_a_policy_the_tickets_owners_are_paged(people):
    with time_machine.travel(T0, tick=False):
        ticket = _p1(people, assignee=people["second"])
        page_start_task(ticket.pk)
    assert [r[2] for r in _paged(Page.objects.get())] == ["second"]


def test_a_breach_of_a_ticket_already_paged_wakes_nobody_again(people, policy):
    with time_machine.travel(T0, tick=False):
        ticket = _p1(people)
        page_start_task(ticket.pk)
    first = Page.objects.get()
    SlaEvent.objects.create(
        ticket=ticket,
        target_kind="first_response",
        cycle=1,
        kind=SlaEventKind.BREACHED,
        at=T0 + timedelta(minutes=15),
        due_at=T0 + timedelta(minutes=15),
    )
    services.page_acknowledge(
        page=first, actor=people["first"], via="web", now=T0 + timedelta(minutes=1)
    )
    assert _run(T0 + timedelta(minutes=15, seconds=1)) == 0
    # Resolved afterwards, the page still covered the breach when it happened.
    services.page_resolve(
        page=first, actor=people["first"], via="web", now=T0 + timedelta(minutes=20)
    )
    assert _run(T0 + timedelta(minutes=21)) == 0
    assert Page.objects.count() == 1
