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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tickets.choices import OPEN_STATUSES, Status
from tickets.models import SlaKind, SlaPolicy
from tickets.sla import businesstime
from tickets.sla.businesstime import CalendarSpec, Interval, merge, open_intervals
from tickets.sla.clocks import PAUSED_STATUSES
from tickets.sla.clocks import _fmt as fmt_duration  # the explanation reads as the clocks write it

ZERO = timedelta(0)
MARGIN = timedelta(days=2)


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


@dataclass(slots=True)
class Target:
    """An SlaTarget row in the making (warned_at and breached_at stay empty: the engine has
    not run on the loaded data)."""

    kind: str
    cycle: int
    policy: SlaPolicy
    started_at: datetime
    target: timedelta
    pauses: list[Interval] = field(default_factory=list)
    paused_since: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    fulfilled_at: datetime | None = None
    next_check_at: datetime | None = None
    scheduled_pauses: list[Interval] = field(default_factory=list)

    def explanation(self) -> str:
        """As clocks._schedule words it, from the pauses of the last scheduling."""
        policy, pauses = self.policy, self.scheduled_pauses
        calendar = policy.calendar
        paused = sum(((b - a) for a, b in pauses), ZERO)
        return (
            f"{policy.name}: {fmt_duration(self.target)} of {calendar.name} time "
            f"({calendar.timezone}) from {self.started_at:%Y-%m-%d %H:%M} UTC"
            + (f", plus {len(pauses)} pause(s) of {fmt_duration(paused)} in all" if pauses else "")
        )


class TicketClocks:
    """tickets.sla.clocks for one ticket, in memory: call the methods in the order the
    services would (create, replies, status changes), then read `targets` and `sync()`."""

    def __init__(self, policy: SlaPolicy | None, calendar: FastCalendar | None):
        self.policy = policy
        self.calendar = calendar
        self.status = Status.NEW
        self.first_response_at: datetime | None = None
        self.targets: dict[str, Target] = {}  # in the order the rows are created

    def _schedule(self, target: Target, now: datetime) -> None:
        policy = target.policy
        pauses = list(target.pauses)
        if target.paused_since and now:
            pauses.append((target.paused_since, now))
        target.due_at = self.calendar.due_at(target.started_at, target.target, pauses)
        lead = policy.warning_lead(target.target)
        target.warn_at = self.calendar.due_at(target.started_at, target.target - lead, pauses)
        if target.fulfilled_at or target.paused_since:
            target.next_check_at = None
        elif target.warn_at < target.due_at:
            target.next_check_at = target.warn_at
        else:
            target.next_check_at = target.due_at
        target.scheduled_pauses = pauses

    def create(self, now: datetime) -> None:
        """clocks.apply at ticket_create."""
        policy = self.policy
        if policy is None:
            return
        paused_now = self.status in PAUSED_STATUSES
        for kind in SlaKind.values:
            duration = policy.target_for(kind)
            if duration is None or (kind == SlaKind.UPDATE and self.first_response_at is None):
                continue
            start = self.first_response_at if kind == SlaKind.UPDATE else now
            target = Target(kind=kind, cycle=1, policy=policy, started_at=start, target=duration)
            if kind == SlaKind.FIRST_RESPONSE and self.first_response_at:
                target.fulfilled_at = self.first_response_at
            if paused_now:
                target.paused_since = now
            self._schedule(target, now)
            self.targets[kind] = target

    def agent_reply(self, now: datetime) -> None:
        """A public reply by an agent (comment_add, then clocks.on_public_agent_reply)."""
        if self.first_response_at is None:
            self.first_response_at = now
        first = self.targets.get(SlaKind.FIRST_RESPONSE)
        if first and first.fulfilled_at is None:
            first.fulfilled_at = now
            first.next_check_at = None
        update = self.targets.get(SlaKind.UPDATE)
        paused = now if self.status in PAUSED_STATUSES else None
        if update is not None:
            update.cycle += 1
            update.started_at = now
            update.pauses = []
            update.paused_since = paused
            update.fulfilled_at = None
            self._schedule(update, now)
        elif self.policy is not None and self.policy.update_interval:
            update = Target(
                kind=SlaKind.UPDATE, cycle=1, policy=self.policy, started_at=now,
                target=self.policy.update_interval, paused_since=paused,
            )
            self._schedule(update, now)
            self.targets[SlaKind.UPDATE] = update

    def change_status(self, after: str, now: datetime) -> None:
        """clocks.on_status_change, after ticket_transition (or a customer's answer)."""
        before, self.status = self.status, after
        for target in self.targets.values():
            changed = False
            if after == Status.CLOSED:
                target.next_check_at = None
                continue
            if (after == Status.RESOLVED and target.kind == SlaKind.RESOLUTION
                    and not target.fulfilled_at):
                target.fulfilled_at = now
                changed = True
            pausable = target.fulfilled_at is None or target.kind == SlaKind.RESOLUTION
            if after in PAUSED_STATUSES and before not in PAUSED_STATUSES and pausable:
                target.paused_since = now
                changed = True
            elif before in PAUSED_STATUSES and after in OPEN_STATUSES and target.paused_since:
                target.pauses = [*target.pauses, (target.paused_since, now)]
                target.paused_since = None
                if before == Status.RESOLVED and target.kind == SlaKind.RESOLUTION:
                    target.fulfilled_at = None
                changed = True
            if changed:
                self._schedule(target, now)

    def customer_reply(self, now: datetime) -> bool:
        """A customer's reply hands a ticket waiting on them back to the team (True if so)."""
        if self.status != Status.WAITING_ON_CUSTOMER:
            return False
        self.change_status(Status.IN_PROGRESS, now)
        return True

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
            "sla_calendar_id": nxt.policy.calendar_id if nxt else None,
            "sla_due_at": nxt.due_at if nxt else None,
            "sla_warn_at": nxt.warn_at if nxt else None,
            "sla_paused": bool(pending) and not running and is_open,
        }

    def due_count(self, now: datetime) -> int:
        """Targets the engine would pick up at `now`."""
        return sum(
            1 for t in self.targets.values()
            if t.next_check_at is not None and t.next_check_at <= now
        )

    def all_future(self, now: datetime) -> bool:
        return all(t.next_check_at is None or t.next_check_at > now for t in self.targets.values())
