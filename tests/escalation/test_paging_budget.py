"""The escalation module of the engine tick keeps to its time budget with a backlog of due
steps, and no part of it is starved: each takes at least one row per tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalation.models import Page, PageReason, PageState
from escalation.paging import engine as paging_engine
from escalation.paging.tasks import page_start_task
from helpdesk.models import Role
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _run(now):
    with time_machine.travel(now, tick=False):
        return paging_engine.run(now)


def test_a_spent_budget_takes_one_row_per_part_and_leaves_the_rest(monkeypatch):
    first = make_agent(username="first", role=Role.ENGINEER)
    second = make_agent(username="second", role=Role.ENGINEER)
    make_policy({"users": [first], "wait_minutes": 5}, {"users": [second]}, severity=1)
    with time_machine.travel(T0, tick=False):
        for i in range(3):
            page_start_task(make_ticket(severity=1, title=f"Checkout down {i}").pk)
        # Two P1s whose pages were lost between commit and enqueue: the sweep owes them.
        lost = [make_ticket(severity=1, title=f"Lost {i}") for i in range(2)]
        Page.objects.filter(ticket__in=lost).delete()
    assert Page.objects.filter(next_step_at=T0 + timedelta(minutes=5)).count() == 3

    monkeypatch.setattr(paging_engine, "TIME_BUDGET_SECONDS", 0)
    later = T0 + timedelta(minutes=6)
    assert _run(later) == 2  # one step, one missing page
    assert Page.objects.filter(state=PageState.TRIGGERED, level=1).count() == 1
    assert Page.objects.filter(ticket__in=lost, reason=PageReason.SEVERITY).count() == 1

    monkeypatch.setattr(paging_engine, "TIME_BUDGET_SECONDS", 60)
    assert _run(later) == 3  # the other two steps and the other lost page
    assert Page.objects.filter(level=1).count() == 3
    assert Page.objects.filter(ticket__in=lost).count() == 2
