"""The engine tick: runs each registered timer module under its own advisory lock.

Apps register modules with `register(name, run)`, where `run(now)` claims its due rows with
`select_for_update(skip_locked=True)` in bounded batches and writes effects in the transaction it
is given. The engine knows nothing about tickets (DESIGN.md section 4).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from helpdesk import clock
from helpdesk.models import EngineState

log = logging.getLogger(__name__)

HEARTBEAT = "tick"
# One tick keeps to about this much wall time across all modules (DESIGN.md section 10: 500 ms
# of database time per tick). Modules run in registration order, the timers' first; each
# stops taking work at its own budget or at the tick's, whichever comes first, and always does
# at least one unit, so none starves. What is left goes to the next tick, which beat fires at
# once while something is due.
TICK_BUDGET_SECONDS = 0.3
_tick_deadline: float | None = None


@dataclass(frozen=True)
class Module:
    name: str
    run: Callable[[datetime], int]  # returns how many rows it handled
    # The due time of the oldest row still waiting for this module, for the lag on /healthz.
    oldest_due: Callable[[], datetime | None] | None = None


_modules: dict[str, Module] = {}


def register(
    name: str,
    run: Callable[[datetime], int],
    *,
    oldest_due: Callable[[], datetime | None] | None = None,
) -> None:
    _modules[name] = Module(name=name, run=run, oldest_due=oldest_due)


def lag_seconds(now: datetime) -> float:
    """Age of the oldest overdue obligation across modules: 0 when nothing is late."""
    oldest = [m.oldest_due() for m in registered() if m.oldest_due]
    due = min((d for d in oldest if d is not None), default=None)
    return max(0.0, (now - due).total_seconds()) if due else 0.0


def behind(now: datetime) -> bool:
    """Whether some module has rows due that its last run left for later (its time budget)."""
    oldest = (m.oldest_due() for m in registered() if m.oldest_due)
    return any(due is not None and due <= now for due in oldest)


def registered() -> list[Module]:
    return list(_modules.values())


def _lock_key(name: str) -> int:
    # A stable signed 32-bit key per module name for pg_try_advisory_xact_lock.
    return zlib.crc32(f"helpdesk.engine.{name}".encode()) - 2**31


def deadline(own_seconds: float) -> float:
    """The monotonic time at which a module's run stops taking more work: its own budget, cut
    to what is left of the tick's when it runs inside one."""
    own = time.monotonic() + own_seconds
    return own if _tick_deadline is None else min(own, _tick_deadline)


def run_module(module: Module, now: datetime) -> int | None:
    """Run one module in its own transaction; None when another process holds its lock."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(module.name)])
            (locked,) = cursor.fetchone()
        if not locked:
            return None
        return module.run(now)


def tick() -> dict[str, int | None]:
    """One pass over every module, then record the heartbeat that /healthz reads."""
    global _tick_deadline
    started = time.monotonic()
    now = clock.now()
    results: dict[str, int | None] = {}
    _tick_deadline = started + TICK_BUDGET_SECONDS
    try:
        for module in registered():
            try:
                results[module.name] = run_module(module, now)
            except Exception:  # one failing module must not starve the others
                log.exception("engine module %s failed", module.name)
                results[module.name] = None
    finally:
        _tick_deadline = None
    EngineState.objects.update_or_create(
        name=HEARTBEAT,
        defaults={"last_tick_at": now, "last_duration_ms": (time.monotonic() - started) * 1000},
    )
    return results
