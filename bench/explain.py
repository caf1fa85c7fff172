"""EXPLAIN (ANALYZE, BUFFERS) of the slowest statements of a captured request.

The capture comes from helpdesk.bench_middleware (HELPDESK_BENCH_SQL=1 and an X-Bench-Capture
header): the statements as PostgreSQL received them, with their durations. Only reads are
explained, each in a transaction that is rolled back, under a statement timeout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg2

READ = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)
NODE = re.compile(
    r"^\s*(?:->\s+)?(?P<node>\S.*?)\s+\(cost=[^)]*\)\s+"
    r"\(actual time=(?P<start>[0-9.]+)\.\.(?P<total>[0-9.]+) "
    r"rows=(?P<rows>\d+) loops=(?P<loops>\d+)\)"
)
REMOVED = re.compile(r"Rows Removed by (?:Filter|Join Filter|Index Recheck): (\d+)")
SORT = re.compile(r"Sort Method: ([^\n]+)")
EXEC = re.compile(r"Execution Time: ([0-9.]+) ms")
PLAN = re.compile(r"Planning Time: ([0-9.]+) ms")
BUFFERS = re.compile(r"Buffers: shared(?: hit=(\d+))?(?: read=(\d+))?")


def load_capture(path: Path) -> dict:
    return json.loads(path.read_text())


def slowest(capture: dict, limit: int = 3) -> list[dict]:
    """The slowest explainable statements of one request, slowest first."""
    reads = [s for s in capture["statements"] if not s.get("many") and READ.match(s["sql"])]
    return sorted(reads, key=lambda s: s["ms"], reverse=True)[:limit]


def explain(dsn: str, sql: str, *, timeout_ms: int = 60_000) -> str:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [timeout_ms])
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        conn.rollback()
        conn.close()


def summarize_plan(plan: str) -> dict:
    """The facts that say why a plan is slow: times, the nodes that spend the most time
    themselves (children excluded), sequential scans,
    rows read only to be thrown away, sorts, and pages touched."""
    nodes = []
    for line in plan.splitlines():
        match = NODE.match(line)
        if match:
            loops = int(match["loops"])
            nodes.append(
                {
                    "node": match["node"].strip(),
                    "indent": len(line) - len(line.lstrip()),
                    "total_ms": float(match["total"]) * loops,
                    "rows": int(match["rows"]) * loops,
                    "loops": loops,
                }
            )
    # A node's own time: its total less its direct children's (those indented under it).
    for i, node in enumerate(nodes):
        children_ms, child_indent = 0.0, None
        for later in nodes[i + 1 :]:
            if later["indent"] <= node["indent"]:
                break
            child_indent = child_indent if child_indent is not None else later["indent"]
            if later["indent"] == child_indent:
                children_ms += later["total_ms"]
        node["ms"] = round(max(0.0, node["total_ms"] - children_ms), 2)
    nodes = [{k: n[k] for k in ("node", "ms", "rows", "loops")} for n in nodes]
    top_buffers = BUFFERS.search(plan)
    execution, planning = EXEC.search(plan), PLAN.search(plan)
    return {
        "execution_ms": float(execution.group(1)) if execution else None,
        "planning_ms": float(planning.group(1)) if planning else None,
        "top_node": nodes[0]["node"] if nodes else None,
        "costliest_nodes": sorted(nodes, key=lambda n: n["ms"], reverse=True)[:3],
        "seq_scans": sorted({n["node"] for n in nodes if n["node"].startswith("Seq Scan")}),
        "rows_removed": max((int(r) for r in REMOVED.findall(plan)), default=0),
        "sorts": sorted(set(SORT.findall(plan))),
        "shared_hit": int(top_buffers.group(1) or 0) if top_buffers else 0,
        "shared_read": int(top_buffers.group(2) or 0) if top_buffers else 0,
    }


def one_line(summary: dict) -> str:
    parts = [f"{summary['execution_ms']} ms" if summary["execution_ms"] is not None else "?"]
    if summary["top_node"]:
        parts.append(f"top: {summary['top_node']}")
    if summary["costliest_nodes"]:
        worst = summary["costliest_nodes"][0]
        parts.append(f"costliest: {worst['node']} ({worst['ms']} ms, {worst['rows']} rows)")
    if summary["seq_scans"]:
        parts.append("seq scans: " + ", ".join(summary["seq_scans"]))
    if summary["rows_removed"]:
        parts.append(f"{summary['rows_removed']} rows removed by a filter")
    if summary["sorts"]:
        parts.append("sort: " + "; ".join(summary["sorts"]))
    parts.append(f"buffers hit={summary['shared_hit']} read={summary['shared_read']}")
    return " · ".join(parts)


def explain_capture(dsn: str, path: Path, *, limit: int = 3) -> dict:
    capture = load_capture(path)
    statements = []
    for statement in slowest(capture, limit):
        try:
            plan = explain(dsn, statement["sql"])
            summary = summarize_plan(plan)
            statements.append(
                {
                    "ms_in_request": statement["ms"],
                    "sql": statement["sql"],
                    "plan": plan,
                    "summary": summary,
                    "line": one_line(summary),
                }
            )
        except psycopg2.Error as exc:
            statements.append(
                {
                    "ms_in_request": statement["ms"],
                    "sql": statement["sql"],
                    "error": str(exc).strip(),
                }
            )
    profile = capture.get("profile_cumulative", [])
    return {
        "path": capture["path"],
        "app_ms": capture["app_ms"],
        "db_ms": capture["db_ms"],
        "queries": len(capture["statements"]),
        "statements": statements,
        "python_own": capture.get("profile_own", [])[:6],
        "product_code": distinct(product_code(below_entry(profile)))[:6],
        "library_code": distinct(
            [
                r
                for r in below_entry(profile)
                if r not in product_code([r]) and not r["function"].startswith(PLUMBING)
            ]
        )[:5],
    }


def distinct(rows: list[dict]) -> list[dict]:
    """One call of a chain of wrappers: a row within 3% of the one before it (sorted by
    cumulative time) is the same time seen one call deeper."""
    kept: list[dict] = []
    for row in rows:
        if kept and row["cumulative_ms"] >= 0.97 * kept[-1]["cumulative_ms"]:
            continue
        kept.append(row)
    return kept


# Calls every request or statement goes through: they say nothing about why one is slow.
PLUMBING = (
    "django/core/handlers/",
    "django/utils/deprecation.py",
    "django/db/backends/",
    "django/db/models/manager.py",
    "django/db/models/sql/compiler.py",
    "django/views/",
    "rest_framework/views.py",
    "rest_framework/decorators.py",
    "django/contrib/",
    "csp/",
    "django_htmx/",
    "axes/",
    "whitenoise/",
    "~:0",
)


def below_entry(rows: list[dict]) -> list[dict]:
    """The profile's costliest calls without its entry points (the view or the tick itself),
    which only say that the whole took long."""
    if not rows:
        return []
    outermost = max(r["cumulative_ms"] for r in rows)
    return [r for r in rows if r["cumulative_ms"] < 0.9 * outermost]


PRODUCT = ("tickets/", "helpdesk/", "kb/", "triage/", "escalation/", "postmortems/")


def product_code(rows: list[dict]) -> list[dict]:
    """The product's own functions among the profile's costliest, the harness left out."""
    return [
        r
        for r in rows
        if r["function"].startswith(PRODUCT) and "bench_middleware" not in r["function"]
    ]
