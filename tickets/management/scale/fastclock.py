"""Business time and SLA clocks for a bulk load, without a query or a day-by-day walk per target.

`tickets.sla.businesstime.due_at` walks a calendar day by day from every start (the whole
800-day horizon for a 24/7 calendar, whose days all merge into one interval), and
`tickets.sla.clocks` saves rows as it goes. Neither scales to a hundred thousand open tickets.
Here a calendar's open intervals are built once, with businesstime's own `open_intervals` and
`merge`, and a due instant is a bisection over cumulative business time; `TicketClocks` replays
the clocks' rules (apply, pause, resume, fulfil, sync) in memory. The results are the same
instants and the same rows: tests/tickets/test_seed_scale.py replays loaded tickets through the
real services and compares.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tickets.choices import OPEN_STATUSES, Status
from tickets.models import SlaKind, SlaPolicy
from tickets.sla import businesstime, clocks
from tickets.sla.businesstime import CalendarSpec, Interval, merge, open_intervals
from tickets.sla.clocks import PAUSED_STATUSES

ZERO = timedelta(0)
MARGIN = timedelta(days=2)
KINDS = tuple(SlaKind.values)  # (the enum builds the list on every access)


def _subtract(interval: Interval, pauses: list[Interval]) -> Iterable[Interval]:
    # businesstime._subtract, kept in step by the equality tests.
    start, end = interval
    for p_start, p_end in pauses:
        if p_end <= start or p_start >= end:
            continue
        if p_start > start:
            yield (start, p_start)
        start = max(start, p_end)
        if start >= end:
            return
    if start < end:
        yield (start, end)


class FastCalendar:
    """The merged open intervals of a calendar between two instants, with cumulative business
    time. Anything outside the span falls back to businesstime itself."""

    def __init__(self, spec: CalendarSpec, first: datetime, last: datetime):
        self.spec = spec
        self.first = first - MARGIN
        pieces: list[Interval] = []
        cursor = self.first
        while cursor < last + MARGIN:
            # open_intervals stops at its horizon; the next call goes on from where it stopped
            # and merge() joins the two touching pieces.
            chunk = list(open_intervals(spec, cursor))
            if not chunk or chunk[-1][1] <= cursor:
                break
            pieces.extend(chunk)
            cursor = chunk[-1][1]
        self.intervals = merge(pieces)
        self.starts = [s for s, _ in self.intervals]
        self.ends = [e for _, e in self.intervals]
        self.cum: list[timedelta] = []
        self.cum_end: list[timedelta] = []
        total = ZERO
        for s, e in self.intervals:
            self.cum.append(total)
            total += e - s
            self.cum_end.append(total)

    def position(self, at: datetime) -> timedelta:
        """Business time from the start of the span to `at`."""
        i = bisect_right(self.starts, at) - 1
        if i < 0:
            return ZERO
        return self.cum[i] + (min(at, self.ends[i]) - self.starts[i])

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in [start, end) (no pauses)."""
        if end <= start:
            return ZERO
        return self.position(end) - self.position(start)

    def back(self, end: datetime, amount: timedelta) -> datetime:
        """An instant from which `amount` of business time runs until `end`."""
        goal = self.position(end) - amount
        if goal <= ZERO:
            return self.first
        j = bisect_left(self.cum_end, goal)
        return self.starts[j] + (goal - self.cum[j])

    def due_at(
        self, start: datetime, target: timedelta, pauses: Iterable[Interval] = ()
    ) -> datetime:
        """businesstime.due_at(spec, start, target, pauses), by bisection."""
        if target <= ZERO or start < self.first:
            return businesstime.due_at(self.spec, start, target, pauses)
        merged = merge(pauses)
        n = len(self.intervals)
        i = bisect_right(self.ends, start)
        if not merged:
            goal = self.position(start) + target
            j = bisect_left(self.cum_end, goal, lo=i)
            if j < n:
                return self.starts[j] + (goal - self.cum[j])
            return businesstime.due_at(self.spec, start, target, pauses)
        remaining = target
        for k in range(i, n):
            piece = (max(self.starts[k], start), self.ends[k])
            for piece_start, piece_end in _subtract(piece, merged):
                length = piece_end - piece_start
                if remaining <= length:
                    return piece_start + remaining
                remaining -= length
        return businesstime.due_at(self.spec, start, target, merged)


class Target:
    """The fields of an SlaTarget that the clocks read and write (a model instance costs more
    to build than the scheduling itself)."""

    __slots__ = (
        "kind",
        "cycle",
        "policy",
        "policy_id",
        "calendar",
        "calendar_id",
        "target",
        "started_at",
        "pauses",
        "paused_since",
        "due_at",
        "warn_at",
        "warned_at",
        "breached_at",
        "fulfilled_at",
        "next_check_at",
        "explanation",
    )

    def __init__(self, kind: str, policy: SlaPolicy, target: timedelta, started_at: datetime):
        self.kind, self.cycle, self.target, self.started_at = kind, 1, target, started_at
        self.policy, self.policy_id = policy, policy.pk
        self.calendar, self.calendar_id = policy.calendar, policy.calendar_id
        self.pauses: list[list[str]] = []
        self.paused_since = self.due_at = self.warn_at = self.warned_at = None
        self.breached_at = self.fulfilled_at = self.next_check_at = None
        self.explanation = ""


class TicketClocks:
    """tickets.sla.clocks for one ticket, in memory: call the methods in the order the
    services would (create, replies, status changes), then read `rows()` and `sync()`.

    The rules (which target starts, pauses, resumes, is fulfilled) are replayed here, since the
    clocks' functions read and write the database; the arithmetic and the wording are the
    clocks' own: every target is scheduled by clocks._schedule, with businesstime.due_at
    swapped for this calendar's bisection while it runs.
    """

    def __init__(self, policy: SlaPolicy | None, calendar: FastCalendar | None):
        self.policy = policy
        self.calendar = calendar
        self.status = Status.NEW
        self.first_response_at: datetime | None = None
        self.targets: dict[str, Target] = {}  # in the order the rows are created

    def _due_at(self, spec, start, target, pauses=()):
        return self.calendar.due_at(start, target, pauses)

    def _schedule(self, target: Target, now: datetime) -> None:
        original = clocks.due_at
        clocks.due_at = self._due_at
        try:
            clocks._schedule(target, self.calendar.spec, now=now)
        finally:
            clocks.due_at = original

    def _target(self, kind: str, start: datetime, duration: timedelta) -> Target:
        return Target(kind, self.policy, duration, start)

    def create(self, now: datetime) -> None:
        """clocks.apply at ticket_create."""
        policy = self.policy
        if policy is None:
            return
        paused_now = self.status in PAUSED_STATUSES
        for kind in KINDS:
            duration = policy.target_for(kind)
            if duration is None or (kind == SlaKind.UPDATE and self.first_response_at is None):
                continue
            start = self.first_response_at if kind == SlaKind.UPDATE else now
            target = self._target(kind, start, duration)
            if kind == SlaKind.FIRST_RESPONSE and self.first_response_at:
                target.fulfilled_at = self.first_response_at
            if paused_now:
                target.paused_since = now
            self._schedule(target, now)
            self.targets[kind] = target

    @staticmethod
    def _breach_if_late(target: Target, now: datetime) -> None:
        """clocks.breach_if_late: a target fulfilled, paused or stopped after its due time is
        breached at that moment."""
        if target.breached_at is None and now >= target.due_at:
            target.breached_at = now
            target.next_check_at = None

    def agent_reply(self, now: datetime) -> None:
        """A public reply by an agent (comment_add, then clocks.on_public_agent_reply)."""
        if self.first_response_at is None:
            self.first_response_at = now
        first = self.targets.get(SlaKind.FIRST_RESPONSE)
        if first and first.fulfilled_at is None:
            self._breach_if_late(first, now)
            first.fulfilled_at = now
            first.next_check_at = None
        update = self.targets.get(SlaKind.UPDATE)
        paused = now if self.status in PAUSED_STATUSES else None
        if update is not None:
            update.cycle += 1
            update.started_at = now
            update.pauses = []
            update.paused_since = paused
            update.fulfilled_at = update.warned_at = update.breached_at = None
            self._schedule(update, now)
        elif self.policy is not None and self.policy.update_interval:
            update = self._target(SlaKind.UPDATE, now, self.policy.update_interval)
            update.paused_since = paused
            self._schedule(update, now)
            self.targets[SlaKind.UPDATE] = update

    def change_status(self, after: str, now: datetime) -> None:
        """clocks.on_status_change, after ticket_transition (or a customer's answer)."""
        before, self.status = self.status, after
        for target in self.targets.values():
            changed = False
            if target.fulfilled_at is None and target.paused_since is None:
                self._breach_if_late(target, now)
            if after == Status.CLOSED:
                target.next_check_at = None
                continue
            if (
                after == Status.RESOLVED
                and target.kind == SlaKind.RESOLUTION
                and not target.fulfilled_at
            ):
                target.fulfilled_at = now
                changed = True
            pausable = target.fulfilled_at is None or target.kind == SlaKind.RESOLUTION
            if after in PAUSED_STATUSES and before not in PAUSED_STATUSES and pausable:
                target.paused_since = now
                changed = True
            elif before in PAUSED_STATUSES and after in OPEN_STATUSES and target.paused_since:
                target.pauses = [*target.pauses, [target.paused_since.isoformat(), now.isoformat()]]
                target.paused_since = None
                if before == Status.RESOLVED and target.kind == SlaKind.RESOLUTION:
                    target.fulfilled_at = None
                changed = True
            if changed:
                self._schedule(target, now)

    def sync(self) -> dict:
        """The ticket's denormalised SLA columns, as clocks.sync_ticket sets them."""
        is_open = self.status in OPEN_STATUSES
        pending = [t for t in self.targets.values() if t.fulfilled_at is None]
        running = sorted(
            (t for t in pending if t.paused_since is None and is_open), key=lambda t: t.due_at
        )
        nxt = running[0] if running else None
        return {
            "sla_kind": nxt.kind if nxt else "",
            "sla_calendar_id": nxt.calendar_id if nxt else None,
            "sla_due_at": nxt.due_at if nxt else None,
            "sla_warn_at": nxt.warn_at if nxt else None,
            "sla_paused": bool(pending) and not running and is_open,
        }

    def due_count(self, now: datetime) -> int:
        """Targets the engine would pick up at `now`."""
        return sum(
            1
            for t in self.targets.values()
            if t.next_check_at is not None and t.next_check_at <= now
        )

    def result(self, now: datetime) -> Clocked:
        """What the load keeps: the ticket's columns and its target rows, without the models."""
        return Clocked(
            self.sync(),
            [
                (
                    t.kind,
                    t.cycle,
                    t.target,
                    t.started_at,
                    t.pauses,
                    t.paused_since,
                    t.due_at,
                    t.warn_at,
                    t.breached_at,
                    t.fulfilled_at,
                    t.next_check_at,
                    t.explanation,
                    t.calendar_id,
                    t.policy_id,
                )
                for t in self.targets.values()
            ],
            self.due_count(now),
        )


@dataclass(slots=True)
class Clocked:
    columns: dict
    targets: list[tuple]
    due: int
