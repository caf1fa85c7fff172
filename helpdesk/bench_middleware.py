"""Server time and query count on every response, for the benchmark suite (bench/, `make bench`).

Enabled in production settings only when HELPDESK_BENCH_HEADERS=1; it must be the outermost
middleware so the time covers sessions, authentication and rendering. Each response carries

    Server-Timing: app;dur=<ms>, db;dur=<ms>
    X-Query-Count: <n>

With HELPDESK_BENCH_SQL=1 as well, a request that sends `X-Bench-Capture: <name>` also has its
statements (as sent to PostgreSQL, parameters bound) and their durations, and a cProfile summary
of where its Python time went, written to `<HELPDESK_BENCH_SQL_DIR>/<name>.json`, so the suite
can EXPLAIN the slow statements and say what else the time was spent on.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import re
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

CAPTURE_HEADER = "HTTP_X_BENCH_CAPTURE"
# The capture name becomes a file name: nothing that could leave the directory.
CAPTURE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class QueryTimer:
    """A `connection.execute_wrapper` that counts statements and sums their durations."""

    def __init__(self, *, capture: bool = False):
        self.count = 0
        self.seconds = 0.0
        self.capture = capture
        self.statements: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            if self.capture:
                self.statements.append(
                    {
                        "sql": _executed_sql(context, sql, params, many),
                        "ms": round(elapsed * 1000, 3),
                        "many": many,
                    }
                )


def _executed_sql(context, sql, params, many) -> str:
    if many:
        return sql  # executemany: the template only; never EXPLAINed
    try:
        return connection.ops.last_executed_query(context["cursor"], sql, params) or sql
    except Exception:  # a failed statement leaves nothing to read; the template will do
        return sql


def _capture_dir() -> Path:
    return Path(os.environ.get("HELPDESK_BENCH_SQL_DIR") or settings.BASE_DIR / "var" / "bench-sql")


def _capture_name(request) -> str | None:
    if os.environ.get("HELPDESK_BENCH_SQL") != "1":
        return None
    name = request.META.get(CAPTURE_HEADER, "")
    return name if CAPTURE_NAME.match(name) else None


class BenchHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        capture = _capture_name(request)
        timer = QueryTimer(capture=capture is not None)
        # A captured request is also profiled: its time is not among the measured ones.
        profiler = cProfile.Profile() if capture else None
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            if profiler:
                profiler.enable()
            try:
                response = self.get_response(request)
            finally:
                if profiler:
                    profiler.disable()
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.2f}, db;dur={timer.seconds * 1000:.2f}"
        response["X-Query-Count"] = str(timer.count)
        if capture:
            _write_capture(capture, request, response, elapsed_ms, timer, profiler)
        return response


def profile_rows(profiler: cProfile.Profile, key: str, limit: int) -> list[dict]:
    stats = pstats.Stats(profiler).stats
    rows = []
    for (filename, line, function), (_cc, calls, own, cumulative, _callers) in stats.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({function})",
                "calls": calls,
                "own_ms": round(own * 1000, 2),
                "cumulative_ms": round(cumulative * 1000, 2),
            }
        )
    return sorted(rows, key=lambda r: r[key], reverse=True)[:limit]


def _short(filename: str) -> str:
    root = str(settings.BASE_DIR) + os.sep
    if "site-packages" + os.sep in filename:
        return filename.split("site-packages" + os.sep, 1)[1]
    return filename.removeprefix(root)


def _write_capture(name, request, response, elapsed_ms, timer, profiler) -> None:
    directory = _capture_dir()
    directory.mkdir(parents=True, exist_ok=True)
    record = {
        "path": request.get_full_path(),
        "status": response.status_code,
        "app_ms": round(elapsed_ms, 3),
        "db_ms": round(timer.seconds * 1000, 3),
        "statements": timer.statements,
        "profile_own": profile_rows(profiler, "own_ms", 15),
        "profile_cumulative": profile_rows(profiler, "cumulative_ms", 150),
    }
    (directory / f"{name}.json").write_text(json.dumps(record, indent=1))
