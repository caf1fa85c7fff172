"""What a crash round owes and what it got, held to the engine's rule rather than to fixed counts.

The engine's rule (tickets/sla/engine.py): a target is handled by the first tick at or after its
warning time. That tick warns when it runs before the due time and breaches when it runs at or
after it; a warning whose due time has passed is never sent. So a breach is always owed once the
due time has passed, and a warning is owed only when a tick ran between the warning time and the
due time. On a loaded machine the processes can start so slowly that the first tick comes after
the due time: then no warning is owed, and the round says so instead of failing.

Ticks are observed from outside the engine, by polling its heartbeat (EngineState), so the rule is
checked against what happened, not against what the engine says about itself.
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from django.db import connection

from helpdesk.engine import HEARTBEAT
from helpdesk.models import EngineState, Notification, OutboundMessage
from tickets.models import SlaEvent, SlaTarget

COUNTS = (
    "lost_events",
    "duplicated_events",
    "untimely_events",
    "lost_messages",
    "duplicated_messages",
    "duplicated_notifications",
)


class TickWatch:
    """Polls the engine heartbeat in a thread and keeps every distinct tick time it sees.

    Ticks come about a second apart; polling every 50 ms sees each one. A tick missed by the poll
    can only make a warning look not owed, never make a correct round fail. Connection errors (a
    PostgreSQL restart) are waited out.
    """

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self._ticks: set[datetime] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="tick-watch", daemon=True)

    def __enter__(self) -> TickWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def ticks(self) -> list[datetime]:
        with self._lock:
            return sorted(self._ticks)

    def _poll(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    at = (
                        EngineState.objects.filter(name=HEARTBEAT)
                        .values_list("last_tick_at", flat=True)
                        .first()
                    )
                except Exception:  # the server is restarting: reconnect on the next poll
                    connection.close()
                else:
                    if at is not None:
                        with self._lock:
                            self._ticks.add(at)
                self._stop.wait(self.interval)
        finally:
            connection.close()


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    # Warnings not owed because no tick ran between warning and due time (a slow start).
    warnings_not_owed: int = 0
    # One sentence per problem, naming the ticket, the times and the likely cause.
    causes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(self.counts.values())

    @property
    def settled(self) -> bool:
        return self.counts["lost_events"] == 0 and self.counts["lost_messages"] == 0

    def problem(self, count: str, cause: str, n: int = 1) -> None:
        self.counts[count] += n
        self.causes.append(cause)


def _t(at: datetime | None) -> str:
    return at.strftime("%H:%M:%S.%f")[:-3] if at else "never"


def tally(tickets, smtp, ticks: list[datetime]) -> Tally:
    """Lost, doubled and untimely effects of the first-response targets of these tickets."""
    result = Tally()
    targets = {
        t.ticket_id: t
        for t in SlaTarget.objects.filter(
            ticket__in=tickets, kind="first_response", cycle=1
        ).select_related("ticket")
    }
    events: dict[tuple[int, str], list[datetime]] = {}
    for ticket_id, kind, at in SlaEvent.objects.filter(
        ticket__in=tickets, target_kind="first_response", kind__in=["warned", "breached"]
    ).values_list("ticket_id", "kind", "at"):
        events.setdefault((ticket_id, kind), []).append(at)
    last_tick = ticks[-1] if ticks else None

    expected_keys: set[str] = set()
    for ticket in tickets:
        target = targets.get(ticket.pk)
        if target is None:
            result.problem("lost_events", f"{ticket.key}: no first-response target at all")
            continue
        warned = events.get((ticket.pk, "warned"), [])
        breached = events.get((ticket.pk, "breached"), [])
        window_ticks = [t for t in ticks if target.warn_at <= t < target.due_at]
        base = f"sla:{ticket.pk}:first_response:1"
        lead = ticket.team.lead_id

        for kind, recorded in (("warning", warned), ("breach", breached)):
            if len(recorded) > 1:
                result.problem(
                    "duplicated_events",
                    f"{ticket.key}: {kind} recorded {len(recorded)} times "
                    f"({', '.join(_t(a) for a in recorded)})",
                    len(recorded) - 1,
                )
        if warned:
            expected_keys.add(f"{base}:warned:{ticket.assignee_id}:email")
            first_breach = min(breached) if breached else None
            for at in warned:
                if not target.warn_at <= at < target.due_at or (first_breach and at > first_breach):
                    result.problem(
                        "untimely_events",
                        f"{ticket.key}: warning at {_t(at)} outside its window "
                        f"{_t(target.warn_at)}-{_t(target.due_at)} or after the breach at "
                        f"{_t(first_breach)}",
                    )
        elif window_ticks:
            result.problem(
                "lost_events",
                f"{ticket.key}: no warning, though the engine ticked at {_t(window_ticks[0])} "
                f"between the warning time {_t(target.warn_at)} and the due time "
                f"{_t(target.due_at)}",
            )
            expected_keys.add(f"{base}:warned:{ticket.assignee_id}:email")
        else:
            result.warnings_not_owed += 1

        expected_keys.add(f"{base}:breached:{ticket.assignee_id}:email")
        expected_keys.add(f"{base}:breached:{lead}:email")
        if not breached:
            if last_tick is None or last_tick < target.due_at:
                why = (
                    f"the last tick seen was at {_t(last_tick)}, before the due time "
                    f"{_t(target.due_at)}: the engine stopped ticking (beat or worker down?)"
                )
            else:
                why = (
                    f"the engine ticked at {_t(last_tick)}, after the due time "
                    f"{_t(target.due_at)}, and recorded nothing"
                )
            result.problem("lost_events", f"{ticket.key}: no breach; {why}")
        else:
            for at in breached:
                if at < target.due_at:
                    result.problem(
                        "untimely_events",
                        f"{ticket.key}: breach at {_t(at)}, "
                        f"before the due time {_t(target.due_at)}",
                    )

    rows = dict(OutboundMessage.objects.values_list("dedup_key", "status"))
    by_message_id = {m.message_id: m.dedup_key for m in OutboundMessage.objects.all()}
    received = Counter(by_message_id.get(mid) for mid in smtp.message_ids())
    for key in sorted(expected_keys):
        if rows.get(key) != "sent" or not received[key]:
            result.problem(
                "lost_messages",
                f"email {key}: outbox row {rows.get(key, 'missing')}, "
                f"{received[key]} received by the SMTP server",
            )
    for key, n in received.items():
        if n > 1:
            result.problem("duplicated_messages", f"email {key} received {n} times", n - 1)
    notifications = list(Notification.objects.values_list("dedup_key", flat=True))
    for key, n in Counter(notifications).items():
        if n > 1:
            result.problem(
                "duplicated_notifications", f"notification {key} stored {n} times", n - 1
            )
    return result


def _describe(exc: BaseException, tb) -> str:
    """The exception and the line of the round it came from, on one line."""
    frames = traceback.extract_tb(tb)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}{where}: {message}"[:300]


def _write(line: dict) -> None:
    path = os.environ.get("CHAOS_REPORT")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(line) + "\n")


class Round:
    """Reports one crash round to CHAOS_REPORT: a line when it starts, and one when it ends,
    whatever the ending (clean, lost or doubled effects, an error, a skip). A round that started
    and never ended (the test process died) is counted as crashed by scripts/chaos_summary.py."""

    def __init__(self, scenario: str, number: int):
        self.scenario = scenario
        self.number = number
        self.tally: Tally | None = None
        self._started = 0.0

    def __enter__(self) -> Round:
        self._started = time.monotonic()
        _write({"scenario": self.scenario, "round": self.number, "event": "started"})
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and issubclass(exc_type, pytest.skip.Exception):
            self._end("skipped", str(exc))
        elif exc_type is not None:
            self._end("error", _describe(exc, tb))
        elif self.tally is None:
            self._end("error", "the round ended without a tally")
        else:
            self._end("passed" if self.tally.clean else "failed", "; ".join(self.tally.causes))

    def _end(self, outcome: str, cause: str) -> None:
        counts = self.tally.counts if self.tally else dict.fromkeys(COUNTS, 0)
        _write(
            {
                "scenario": self.scenario,
                "round": self.number,
                "event": "ended",
                "outcome": outcome,
                "cause": cause,
                "seconds": round(time.monotonic() - self._started, 1),
                "warnings_not_owed": self.tally.warnings_not_owed if self.tally else 0,
                **counts,
            }
        )
