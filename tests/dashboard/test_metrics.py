"""The dashboard's figures on hand-built tickets with known answers, and the rollups against a
direct computation from the same logs."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.core.management import call_command
from django.db.models import Sum

from helpdesk import clock, engine
from tests.dashboard.scenario import DAY, T0
from tickets import services
from tickets.choices import OPEN_STATUSES
from tickets.metrics import buckets, rollup
from tickets.metrics import engine as metrics_engine
from tickets.metrics.read import histogram_of, histogram_sums
from tickets.models import (
    BacklogRollup,
    SlaEvent,
    Ticket,
    TicketEvent,
    TicketRollup,
)

NEXT = DAY + timedelta(days=1)
DONE = {"resolved", "closed"}
COUNTED = rollup.COUNTS


def _day_sums(grain: str, day: date) -> dict[str, int]:
    row = TicketRollup.objects.filter(grain=grain, day=day).aggregate(
        **{c: Sum(c) for c in COUNTED}
    )
    return {c: row[c] or 0 for c in COUNTED}


def _backlog(day: date) -> dict[str, int]:
    row = BacklogRollup.objects.filter(grain="day", day=day).aggregate(
        total=Sum("total"), **{a: Sum(a) for a in rollup.AGES}
    )
    return {k: v or 0 for k, v in row.items()}


def test_rollups_give_the_known_answers(history):
    rollup.roll(first=DAY, last=NEXT)

    day = _day_sums("day", DAY)
    assert day["created"] == 5
    assert day["resolved"] == 4
    assert day["first_resolutions"] == 4
    assert day["first_contact_resolutions"] == 3  # C was escalated
    assert day["escalated"] == 1
    assert day["reopened"] == 0
    assert (day["first_response_met"], day["first_response_breached"]) == (3, 1)  # B late
    # D waited on the customer for 8 h of its 9: paused time does not count, so it is met.
    assert (day["resolution_met"], day["resolution_breached"]) == (4, 0)

    following = _day_sums("day", NEXT)
    assert following["reopened"] == 1
    assert following["resolved"] == 1
    assert following["first_resolutions"] == 0
    # B's resolution, fulfilled again after the reopen, was counted once already.
    assert following["resolution_met"] == 0

    assert _backlog(DAY) == {"total": 1, **dict.fromkeys(rollup.AGES, 0), "under_1d": 1}
    assert _backlog(NEXT) == {"total": 1, **dict.fromkeys(rollup.AGES, 0), "from_1_to_3d": 1}
    day_all = BacklogRollup.objects.filter(grain="day_all", day=DAY).values_list(
        "severity", "total", "team_id", "channel", "tier"
    )
    assert list(day_all) == [(2, 1, None, "", "")]

    hist = TicketRollup.objects.filter(grain="day", day=DAY).aggregate(
        **histogram_sums("resolve_minutes")
    )
    resolve = histogram_of(hist)
    # 2 h, 3 h, 5 h, 9 h from creation to the first resolution.
    assert buckets.label(buckets.percentile(resolve, 0.5)) == "≤ 4 h"
    assert buckets.label(buckets.percentile(resolve, 0.9)) == "≤ 12 h"
    first = histogram_of(
        TicketRollup.objects.filter(grain="day", day=DAY).aggregate(
            **histogram_sums("first_response_minutes")
        )
    )
    # 30 min, 2 h, 20 min, 30 min.
    assert buckets.label(buckets.percentile(first, 0.5)) == "≤ 30 min"
    assert buckets.label(buckets.percentile(first, 0.9)) == "≤ 2 h"

    # The month row adds the days up; the organization's rows hold the same figures.
    month = _day_sums("month", DAY.replace(day=1))
    assert month["resolved"] == 5
    assert month["created"] == 5
    assert _day_sums("org_day", DAY) == day


def _direct(first: date, last: date) -> tuple[dict, dict]:
    """The same figures computed straight from the timeline and the SLA log, ticket by ticket."""
    flows: dict[date, Counter] = defaultdict(Counter)
    for ticket in Ticket.objects.all():
        events = list(TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id"))
        replies, escalated, resolutions = 0, False, []
        for e in events:
            day = e.created_at.astimezone(UTC).date()
            if e.kind == "created":
                flows[day]["created"] += 1
            elif e.kind == "reply" and e.actor and e.actor.is_agent_side:
                replies += 1
            elif e.kind == "escalation":
                if not escalated:
                    flows[day]["escalated"] += 1
                escalated = True
            elif e.kind == "status" and e.after in DONE and (e.before or "new") not in DONE:
                flows[day]["resolved"] += 1
                if not resolutions:
                    flows[day]["first_resolutions"] += 1
                    if replies <= 1 and not escalated:
                        flows[day]["first_contact_resolutions"] += 1
                resolutions.append(e.created_at)
            elif (
                e.kind == "status"
                and e.before in DONE
                and e.after in OPEN_STATUSES
                and any(e.created_at - timedelta(days=7) <= r < e.created_at for r in resolutions)
            ):
                flows[day]["reopened"] += 1
    decided: dict[tuple, list[SlaEvent]] = defaultdict(list)
    for s in SlaEvent.objects.filter(kind__in=["breached", "fulfilled"]).order_by("id"):
        decided[(s.ticket_id, s.target_kind, s.cycle)].append(s)
    for (_, kind, _), logged in decided.items():
        breach = next((s for s in logged if s.kind == "breached"), None)
        outcome = breach or logged[0]
        day = outcome.at.astimezone(UTC).date()
        flows[day][f"{kind}_{'breached' if breach else 'met'}"] += 1

    backlog: dict[date, int] = {}
    day = first
    while day <= last:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
        count = 0
        for ticket in Ticket.objects.filter(created_at__lt=end):
            statuses = TicketEvent.objects.filter(
                ticket=ticket, kind="status", created_at__lt=end
            ).order_by("-created_at", "-id")
            last_status = statuses.first()
            count += (last_status.after if last_status else "new") in OPEN_STATUSES
        backlog[day] = count
        day += timedelta(days=1)
    return flows, backlog


def test_rollups_equal_a_direct_computation(history, agent, org_b):
    # A second organization's ticket, closed the next day without an answer.
    other = services.ticket_create(
        actor=agent, organization=org_b, title="Elsewhere", severity=2, now=T0 + timedelta(hours=3)
    )
    sla = next(m for m in engine.registered() if m.name == "sla")
    sla.run(T0 + timedelta(hours=6))
    services.ticket_transition(ticket=other, to="closed", actor=agent, now=NEXT_NOON)
    rollup.roll(first=DAY, last=NEXT + timedelta(days=1))

    flows, backlog = _direct(DAY, NEXT + timedelta(days=1))
    for day in (DAY, NEXT, NEXT + timedelta(days=1)):
        expected = {c: flows[day][c] for c in COUNTED}
        assert _day_sums("day", day) == expected, day
        assert _backlog(day)["total"] == backlog[day], day
    # B answered late; E and the other ticket breached by the engine while unanswered.
    assert flows[DAY]["first_response_breached"] == 3


NEXT_NOON = datetime.combine(NEXT, time(12), tzinfo=UTC)


def test_the_engine_rolls_new_log_rows_and_a_later_edit_leaves_the_past_alone(history, agent):
    later = T0 + timedelta(days=3)
    assert metrics_engine.run(later) == 4  # from the first day logged to today
    before = (_day_sums("day", DAY), _day_sums("day", NEXT), _backlog(DAY))

    ticket_a = history.tickets["A"]
    services.ticket_update(
        ticket=Ticket.objects.get(pk=ticket_a.pk),
        actor=agent,
        changes={"severity": 1},
        now=later + timedelta(hours=1),
    )
    # Within a few minutes of the last run nothing is re-rolled; after that, only today.
    assert metrics_engine.run(later + timedelta(minutes=1)) == 0
    assert metrics_engine.run(later + timedelta(hours=2)) == 1
    assert (_day_sums("day", DAY), _day_sums("day", NEXT), _backlog(DAY)) == before
    assert TicketRollup.objects.filter(grain="day", day=DAY, severity=1).count() == 0


def test_rebuild_command_matches_the_engine(history, agent):
    rollup.roll(first=DAY, last=NEXT)
    rolled = (_day_sums("day", DAY), _day_sums("day", NEXT), _backlog(DAY), _backlog(NEXT))
    TicketRollup.objects.all().delete()
    BacklogRollup.objects.all().delete()
    with time_machine.travel(datetime.combine(NEXT, time(23), tzinfo=UTC), tick=False):
        assert clock.now().date() == NEXT
        call_command("rebuild_rollups", stdout=io.StringIO())
    assert (_day_sums("day", DAY), _day_sums("day", NEXT), _backlog(DAY), _backlog(NEXT)) == rolled


def test_the_rollups_wait_while_timers_are_due(db, agent, org_a):
    services.ticket_create(actor=agent, organization=org_a, title="Down", severity=2, now=T0)
    rolled = T0 + timedelta(minutes=50)
    assert metrics_engine.run(rolled) == 1
    # The first response was due at 10:00 and the SLA engine has not handled it yet.
    late = T0 + timedelta(minutes=70)
    assert engine.behind(late)
    assert metrics_engine.run(late) == 0
    assert metrics_engine.run(rolled + metrics_engine.PATIENCE) == 1


def test_all_time_without_filters_reads_the_small_month_rows(history):
    rollup.roll(first=DAY, last=NEXT)
    month = DAY.replace(day=1)
    assert _day_sums("month_all", month) == _day_sums("month", month)
    rows = TicketRollup.objects.filter(grain="month_all")
    assert set(rows.values_list("team_id", "channel", "tier")) == {(None, "", "")}
