"""The engine tick against the dataset's SLA backlog, measured, then rolled back.

    python -m bench.tick --out FILE

Runs `helpdesk.engine.tick()` back to back inside one transaction until the rows that were due when
it started are all handled (or BENCH_TICK_MAX ticks, or 5 minutes), timing every statement with
`connection.execute_wrapper`. The transaction is rolled back at the end, so the dataset keeps its
backlog for the next run. The first tick is the figure held to the budget; the rest show how long
the backlog takes to drain and so how late the last breach of it is recorded. Then the first tick
runs once more from the same backlog under cProfile, to show where its Python time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

MAX_SECONDS = 300


def measure(max_ticks: int, sql_out: Path | None = None) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count, Max, Min
    from django.urls import get_resolver

    from helpdesk import clock, engine
    from helpdesk.bench_middleware import QueryTimer, profile_rows
    from tickets.models import SlaEvent, SlaEventKind, SlaTarget
    from tickets.sla import engine as sla_engine

    # Loaded once per process in production long before a tick: not part of what is measured.
    get_resolver().url_patterns  # noqa: B018
    start = clock.now()
    waiting = SlaTarget.objects.filter(next_check_at__isnull=False)
    backlog = SlaTarget.objects.filter(next_check_at__lte=start)
    before = {
        "open_timers": waiting.count(),
        "due": backlog.count(),
        "due_breaches": backlog.filter(due_at__lte=start).count(),
        "oldest_next_check_at": _iso(backlog.aggregate(v=Min("next_check_at"))["v"]),
        "healthz_lag_seconds": round(engine.lag_seconds(start), 1),
    }
    ticks, first_statements = [], []
    modules = _ModuleTimes()
    with transaction.atomic(), modules.installed(engine):
        untouched = transaction.savepoint()
        began = time.monotonic()
        for number in range(max_ticks):
            timer = QueryTimer(capture=number == 0)
            wall = time.perf_counter()
            with connection.execute_wrapper(timer):
                modules.timer = timer
                handled = engine.tick()
            wall_ms = (time.perf_counter() - wall) * 1000
            remaining = backlog.count()
            ticks.append(
                {
                    "wall_ms": round(wall_ms, 1),
                    "db_ms": round(timer.seconds * 1000, 1),
                    "statements": timer.count,
                    "handled": handled,
                    "module_db_ms": modules.take(),
                    "backlog_left": remaining,
                }
            )
            if number == 0:
                first_statements = timer.statements
            if remaining == 0 or time.monotonic() - began > MAX_SECONDS:
                break
        breaches = SlaEvent.objects.filter(kind=SlaEventKind.BREACHED, at__gte=start)
        recorded = breaches.aggregate(n=Count("id"), first=Min("at"), last=Max("at"))
        oldest = breaches.order_by("due_at", "id").values("due_at", "at").first()
        warned = SlaEvent.objects.filter(kind=SlaEventKind.WARNED, at__gte=start).count()
        # The first tick once more from the same backlog, under cProfile: where its Python time
        # goes. Profiling slows it down, so it is not the measured run.
        transaction.savepoint_rollback(untouched)
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            engine.tick()
        finally:
            profiler.disable()
        transaction.set_rollback(True)

    if sql_out and ticks:
        # In the middleware's capture format, so bench.explain can EXPLAIN its slowest reads.
        sql_out.write_text(
            json.dumps(
                {
                    "path": "helpdesk.engine.tick()",
                    "status": 0,
                    "app_ms": ticks[0]["wall_ms"],
                    "db_ms": ticks[0]["db_ms"],
                    "statements": first_statements,
                    "profile_own": profile_rows(profiler, "own_ms", 15),
                    "profile_cumulative": profile_rows(profiler, "cumulative_ms", 150),
                }
            )
        )
    slowest = sorted(first_statements, key=lambda s: s["ms"], reverse=True)[:5]
    interval = settings.HELPDESK_ENGINE_TICK_SECONDS
    drained = bool(ticks) and ticks[-1]["backlog_left"] == 0
    return {
        "batch": sla_engine.BATCH,
        "time_budget_seconds": sla_engine.TIME_BUDGET_SECONDS,
        "tick_interval_seconds": interval,
        "before": {**before, **_pages_before(start)},
        "first_tick": ticks[0] if ticks else None,
        "ticks": ticks,
        "ticks_to_drain": len(ticks) if drained else None,
        "breaches_recorded": recorded["n"],
        "warnings_recorded": warned,
        # Lag of the oldest obligation: its due time to the breach the engine recorded for it.
        "oldest_due_at": _iso(oldest and oldest["due_at"]),
        "oldest_breach_recorded_at": _iso(oldest and oldest["at"]),
        "oldest_lag_seconds": (
            round((oldest["at"] - oldest["due_at"]).total_seconds(), 1) if oldest else None
        ),
        # The engine task fires the next tick as soon as one ends with rows still due, so the
        # backlog drains back to back, as here, not one beat apart.
        "drain_seconds": (
            round((recorded["last"] - start).total_seconds(), 1) if recorded["last"] else None
        ),
        "max_tick_db_ms": max((t["db_ms"] for t in ticks), default=None),
        "slowest_statements": [
            {"ms": s["ms"], "sql": " ".join(s["sql"].split())[:300]} for s in slowest
        ],
        "rolled_back": True,
    }


class _ModuleTimes:
    """The database time of each engine module within a tick: every registered module's `run` is
    wrapped while the measurement lasts, reading the tick's statement timer before and after."""

    def __init__(self):
        self.timer = None
        self.times: dict[str, float] = {}

    @contextlib.contextmanager
    def installed(self, engine):
        original = dict(engine._modules)
        for name, module in original.items():
            engine._modules[name] = dataclasses.replace(module, run=self._timed(name, module.run))
        try:
            yield self
        finally:
            engine._modules.clear()
            engine._modules.update(original)

    def _timed(self, name, run):
        def timed(now):
            before = self.timer.seconds if self.timer else 0.0
            try:
                return run(now)
            finally:
                spent = (self.timer.seconds if self.timer else 0.0) - before
                self.times[name] = self.times.get(name, 0.0) + spent

        return timed

    def take(self) -> dict[str, float]:
        taken = {name: round(seconds * 1000, 1) for name, seconds in self.times.items()}
        self.times = {}
        return taken


def _pages_before(start) -> dict:
    """The escalation module's load: open pages, and those whose next step is due."""
    try:
        from escalation.models import OPEN_PAGE, Page, PageState
    except ImportError:
        return {}
    return {
        "open_pages": Page.objects.filter(OPEN_PAGE).count(),
        "due_pages": Page.objects.filter(
            state=PageState.TRIGGERED, next_step_at__lte=start
        ).count(),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tick")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sql", type=Path, help="write the first tick's statements here")
    args = parser.parse_args(argv)
    import django

    django.setup()
    result = measure(int(os.environ.get("BENCH_TICK_MAX", "200")), args.sql)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
