"""The on-call demo: a primary and a secondary schedule over the demo engineers."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from escalation.models import Override, Schedule
from escalation.oncall import oncall_at
from helpdesk import clock

pytestmark = pytest.mark.django_db


def test_seed_oncall_loads_two_schedules_once():
    call_command("seed_demo", tickets=0)
    call_command("seed_oncall", if_empty=True)
    call_command("seed_oncall", if_empty=True)
    names = list(Schedule.objects.values_list("name", flat=True))
    assert names == ["Primary on-call", "Secondary on-call"]
    now = clock.now()
    for schedule in Schedule.objects.all():
        assert len(oncall_at(schedule, now)) == 1
        assert schedule.shifts.filter(user=None).exists() == (schedule.name.startswith("Second"))
    assert Override.objects.count() == 1


def test_seed_oncall_loads_an_accepted_and_a_waiting_engineering_escalation_and_a_source():
    from escalation.models import AlertSource, EngineeringEscalation

    call_command("seed_demo")
    call_command("seed_oncall", if_empty=True)
    states = sorted(EngineeringEscalation.objects.values_list("state", flat=True))
    assert states == ["accepted", "pending"]
    accepted = EngineeringEscalation.objects.get(state="accepted")
    assert accepted.committed_date is not None
    assert AlertSource.objects.get().slug == "platform"
