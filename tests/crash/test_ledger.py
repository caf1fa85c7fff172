"""The crash rounds hold the engine to its rule: a warning is owed only when a tick ran between the
warning time and the due time, a breach always, and a missing effect is reported with its cause.

The engine module runs here at chosen times; the ticks passed to the ledger are what a round's
TickWatch would have seen.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.crash.ledger import tally
from tests.factories import make_ticket
from tickets.models import SlaTarget
from tickets.sla import engine

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


@pytest.fixture
def ticket(fast_policy, people):
    return make_ticket(
        actor=people["assignee"],
        organization=people["org"],
        severity=1,
        assignee=people["assignee"],
        team=people["team"],
    )


@pytest.fixture
def target(ticket):
    return SlaTarget.objects.get(ticket=ticket, kind="first_response")


def _events(result):
    return {k: result.counts[k] for k in ("lost_events", "duplicated_events", "untimely_events")}


def test_a_first_tick_after_the_due_time_owes_no_warning(ticket, target, smtp):
    late_start = target.due_at + 2 * SECOND  # processes started slowly: the first tick is late
    engine.run(late_start)

    result = tally([ticket], smtp, ticks=[late_start])

    assert _events(result) == {"lost_events": 0, "duplicated_events": 0, "untimely_events": 0}
    assert result.warnings_not_owed == 1


def test_a_tick_inside_the_warning_window_owes_a_warning(ticket, target, smtp):
    in_window = target.warn_at + SECOND
    after_due = target.due_at + SECOND
    # The engine did not run at the tick inside the window (as if it had skipped the target).
    engine.run(after_due)

    result = tally([ticket], smtp, ticks=[in_window, after_due])

    assert result.counts["lost_events"] == 1
    assert result.warnings_not_owed == 0
    assert any(
        f"{ticket.key}: no warning, though the engine ticked at" in cause for cause in result.causes
    )


def test_warning_then_breach_on_time_is_clean(ticket, target, smtp):
    ticks = [target.warn_at + SECOND, target.due_at + SECOND]
    for at in ticks:
        engine.run(at)

    result = tally([ticket], smtp, ticks=ticks)

    assert _events(result) == {"lost_events": 0, "duplicated_events": 0, "untimely_events": 0}
    assert result.warnings_not_owed == 0


def test_a_breach_never_recorded_names_the_stopped_engine(ticket, target, smtp):
    in_window = target.warn_at + SECOND
    engine.run(in_window)  # then nothing ticks any more

    result = tally([ticket], smtp, ticks=[in_window])

    assert result.counts["lost_events"] == 1
    assert any("no breach" in c and "the engine stopped ticking" in c for c in result.causes)
    assert not result.settled
