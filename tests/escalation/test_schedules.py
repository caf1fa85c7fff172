"""Materialised shifts, overrides, oncall_at and the handoff engine module."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from escalation import handoff
from escalation.models import HandoffNote, Override, Rotation, Shift
from escalation.oncall import next_shift, oncall_at
from escalation.paging.services import page_start
from escalation.services import (
    handoff_note_add,
    override_create,
    override_delete,
    schedule_materialise,
)
from helpdesk.errors import Forbidden
from helpdesk.models import Notification, OutboundMessage, Role
from tests.escalation.oncall_factories import make_schedule
from tests.factories import make_agent, make_ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 25, 12, tzinfo=UTC)  # a Wednesday; Oslo changes to summer time on the 29th


@pytest.fixture
def people():
    return [make_agent(role=Role.ENGINEER, username=n, email=f"{n}@example.com") for n in "abc"]


def test_materialised_shifts_follow_the_rules_for_six_weeks(people):
    a, b, c = people
    schedule = make_schedule(members=people, now=NOW)
    shifts = list(Shift.objects.filter(schedule=schedule).order_by("starts_at"))
    assert [s.user for s in shifts[:4]] == [a, b, c, a]
    assert shifts[0].starts_at == datetime(2026, 3, 23, 8, tzinfo=UTC)
    assert shifts[1].starts_at == datetime(2026, 3, 30, 7, tzinfo=UTC)  # 09:00 CEST
    assert shifts[-1].ends_at == NOW + timedelta(weeks=6)
    assert schedule.materialised_until == NOW + timedelta(weeks=6)
    # The shift already running when the schedule was set up hands over to nobody.
    assert shifts[0].handed_off_at == NOW
    assert all(s.handed_off_at is None for s in shifts[1:])


def test_oncall_at_and_next_shift_inside_and_beyond_the_horizon(people):
    a, b, c = people
    schedule = make_schedule(members=people, now=NOW)
    assert oncall_at(schedule, NOW) == [a]
    assert next_shift(schedule, NOW).user == b
    assert oncall_at(schedule, NOW + timedelta(weeks=4)) == [b]  # from the shift rows
    far = NOW + timedelta(weeks=9)  # beyond the horizon: computed from the rules
    assert oncall_at(schedule, far) == [a]
    following = next_shift(schedule, far)
    assert (following.user, following.starts_at) == (b, datetime(2026, 6, 1, 7, tzinfo=UTC))


def test_rules_and_materialised_shifts_agree_at_every_hour(people):
    schedule = make_schedule(members=people, now=NOW)
    for hours in range(0, 6 * 7 * 24, 7):
        at = NOW + timedelta(hours=hours)
        stored = oncall_at(schedule, at)
        schedule.materialised_until = None  # force the rules path
        computed = oncall_at(schedule, at)
        schedule.materialised_until = NOW + timedelta(weeks=6)
        assert stored == computed, at


def test_an_override_is_materialised_at_once_and_gap_warned_when_a_rule_changes(people):
    a, b, c = people
    schedule = make_schedule(members=people, now=NOW)
    starts, ends = NOW + timedelta(days=1), NOW + timedelta(days=2)
    override_create(
        schedule=schedule, user=c, covers_for=a, starts_at=starts, ends_at=ends, actor=c, now=NOW
    )
    assert oncall_at(schedule, starts + timedelta(hours=1)) == [c]
    cover = Shift.objects.get(schedule=schedule, starts_at=starts)
    assert (cover.user, cover.ends_at, cover.override.covers_for) == (c, ends, a)
    assert Shift.objects.get(schedule=schedule, starts_at=ends).user == a
    # The rotation ends: from then on nobody is on call, and the materialised rows say so.
    Rotation.objects.filter(schedule=schedule).update(ends_on=date(2026, 4, 6))
    schedule_materialise(schedule=schedule, now=NOW)
    gap = Shift.objects.filter(schedule=schedule, user=None).get()
    assert gap.starts_at == datetime(2026, 4, 5, 22, tzinfo=UTC)  # local midnight, CEST


def test_only_managers_and_the_people_involved_arrange_cover(people):
    a, b, c = people
    schedule = make_schedule(members=people, now=NOW)
    outsider = make_agent()
    window = {"starts_at": NOW + timedelta(hours=1), "ends_at": NOW + timedelta(hours=3)}
    with pytest.raises(Forbidden):
        override_create(schedule=schedule, user=b, covers_for=a, actor=outsider, now=NOW, **window)
    assert not Override.objects.exists()
    manager = make_agent(role=Role.MANAGER)
    o = override_create(schedule=schedule, user=b, covers_for=a, actor=manager, now=NOW, **window)
    assert oncall_at(schedule, NOW + timedelta(hours=2)) == [b]
    with pytest.raises(Forbidden):
        override_delete(override=o, actor=outsider, now=NOW)
    override_delete(override=o, actor=a, now=NOW)
    assert oncall_at(schedule, NOW + timedelta(hours=2)) == [a]


def test_handoff_report_is_sent_once_per_change_of_hands(people):
    a, b, c = people
    schedule = make_schedule(members=people, now=NOW)
    make_ticket(severity=1, title="Payments failing")
    handoff_note_add(schedule=schedule, author=a, body="Watch the payment queue.", now=NOW)
    change = datetime(2026, 3, 30, 7, tzinfo=UTC)

    assert handoff.run(change - timedelta(seconds=1)) == 0
    assert handoff.run(change) == 1
    assert handoff.run(change + timedelta(seconds=5)) == 0

    notices = Notification.objects.filter(kind=handoff.HANDOFF).order_by("user__username")
    assert [(n.user, n.title) for n in notices] == [
        (a, f"Your on-call shift for Primary ended; {b.display_name} took over"),
        (b, "You are now on call for Primary"),
    ]
    report = OutboundMessage.objects.get(recipient="b@example.com").body
    assert "Open P1 and P2 tickets (1)" in report
    assert "Payments failing" in report
    assert "Watch the payment queue." in report
    assert HandoffNote.objects.get().handed_off_in.starts_at == change


def test_engine_extends_the_horizon_before_it_runs_out(people):
    schedule = make_schedule(members=people, now=NOW)
    later = NOW + timedelta(weeks=5, days=1)
    handoff.run(later)
    schedule.refresh_from_db()
    assert schedule.materialised_until == later + timedelta(weeks=6)
    assert Shift.objects.filter(schedule=schedule, ends_at=later + timedelta(weeks=6)).exists()


def test_handoff_report_lists_active_pages_and_incidents(people):
    a, b, c = people
    make_schedule(members=people, now=NOW)
    paged = make_ticket(severity=1, title="Checkout returns 502")
    page_start(ticket=paged, reason="manual", actor=a, now=NOW)
    make_ticket(severity=2, issue_type="incident", title="Webhooks delayed in eu-west")
    over = make_ticket(severity=2, issue_type="incident", title="Old outage")
    Ticket.objects.filter(pk=over.pk).update(status="closed")

    handoff.run(datetime(2026, 3, 30, 7, tzinfo=UTC))

    report = OutboundMessage.objects.get(recipient="b@example.com").body
    assert "Active pages (1)" in report
    assert f"{paged.key} · not acknowledged" in report
    assert "Incidents under way (1)" in report
    assert "Webhooks delayed in eu-west" in report
    assert "Old outage" not in report
