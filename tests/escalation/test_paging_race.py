"""An acknowledgement racing an escalation step, in two real transactions: nobody is paged twice,
and an acknowledged page pages nobody more."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction

from escalation.models import Page, PageRecipient, PageState
from escalation.paging import engine as paging_engine
from escalation.paging import services
from escalation.paging.tasks import page_start_task
from helpdesk import clock
from helpdesk import engine as helpdesk_engine
from helpdesk.models import OutboundMessage, Role
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def setup():
    first = make_agent(username="first", role=Role.ENGINEER)
    second = make_agent(username="second", role=Role.ENGINEER)
    make_policy({"users": [first], "wait_minutes": 1}, {"users": [second]}, severity=1)
    ticket = make_ticket(severity=1)
    page_start_task(ticket.pk)
    return Page.objects.get(ticket=ticket), first, second


def _in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _tick(now):
    module = next(m for m in helpdesk_engine.registered() if m.name == "escalation")
    return helpdesk_engine.run_module(module, now)


def test_a_step_during_an_acknowledgement_pages_nobody(setup):
    page, first, _ = setup
    due = page.next_step_at
    holding, release = threading.Event(), threading.Event()

    def acknowledge():
        with transaction.atomic():
            services.page_acknowledge(page=page, actor=first, via="web", now=due)
            holding.set()
            release.wait(10)

    thread = _in_thread(acknowledge)
    assert holding.wait(10)
    assert _tick(due + timedelta(seconds=1)) == 0  # the page is locked: skipped, not waited for
    release.set()
    thread.join(10)
    assert _tick(due + timedelta(seconds=2)) == 0
    page.refresh_from_db()
    assert page.state == PageState.ACKNOWLEDGED
    assert list(PageRecipient.objects.values_list("user__username", flat=True)) == ["first"]


def test_an_acknowledgement_during_a_step_waits_for_it_and_stops_what_follows(setup):
    page, first, second = setup
    due = page.next_step_at
    stepped, release = threading.Event(), threading.Event()
    result = {}

    def step():
        with transaction.atomic():
            result["step"] = paging_engine.run(due)
            stepped.set()
            release.wait(10)

    def acknowledge():
        result["ack"] = services.page_acknowledge(
            page=page, actor=second, via="web", now=clock.now()
        )

    stepper = _in_thread(step)
    assert stepped.wait(10)
    acker = _in_thread(acknowledge)
    acker.join(1)
    assert acker.is_alive()  # it waits on the page's row lock
    release.set()
    stepper.join(10)
    acker.join(10)
    assert result == {"step": 1, "ack": True}
    for later in (due + timedelta(minutes=5), due + timedelta(hours=1)):
        assert _tick(later) == 0
    assert sorted(PageRecipient.objects.values_list("level", "user__username")) == [
        (0, "first"),
        (1, "second"),
    ]
    emails = list(OutboundMessage.objects.filter(channel="email").values_list("recipient"))
    assert sorted(emails) == [("first@example.com",), ("second@example.com",)]
