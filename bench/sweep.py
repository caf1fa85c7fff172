"""Every queue filter an agent can pick, in every order the queue offers, on the bench dataset.

`make bench` measures a dozen queue pages over HTTP; this walks the whole grid in one process
(database and ORM time of `tickets.queue.page`, no HTTP, no template), page 1 and `--depth`
pages deep, and prints the slowest first. A cell over the queue budget names its statement's
plan with `--explain`.

    eval "$(scripts/services.sh env)"
    .venv/bin/python -m bench.sweep            # the helpdesk_bench database (make bench loads it)
    .venv/bin/python -m bench.sweep --depth 20 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

BUDGET_MS = 50.0


def filters(agent: str, team: str, org_slug: str, org_name: str, word: str) -> list:
    """(label, query fields) for each filter of the queue's form, alone and across statuses."""
    statuses = ["new", "investigating", "in_progress", "waiting_on_customer", "resolved", "closed"]
    rows: list[tuple[str, dict]] = [("all open", {}), ("any status", {"status": ("all",)})]
    rows += [(f"status {s}", {"status": (s,)}) for s in statuses]
    for label, fields in (
        ("P1", {"severity": (1,)}),
        ("P1+P2", {"severity": (1, 2)}),
        ("mine", {"assignee": "me"}),
        ("unassigned", {"assignee": "none"}),
        (f"assignee {agent}", {"assignee": agent}),
        (f"team {team}", {"team": team}),
        ("no team", {"team": "none"}),
        (f"organization {org_slug}", {"organization": org_slug}),
        (f"organization “{org_name}”", {"organization": org_name}),
        ("category authentication", {"category": "authentication"}),
        ("tag security", {"tag": "security"}),
        (f"q={word}", {"q": word}),
    ):
        rows.append((label, fields))
        rows.append((f"any status, {label}", {**fields, "status": ("all",)}))
    rows += [(f"SLA {s}", {"sla": s}) for s in ("breached", "soon", "paused")]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=20, help="pages followed for the deep cell")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per cell (median)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the cells over budget")
    args = parser.parse_args()

    from bench.run import Config, django_env

    config = Config.from_env(dict(os.environ))
    os.environ.update(django_env(config, Path(tempfile.mkdtemp(prefix="bench-sweep-"))))
    os.environ["HELPDESK_BENCH_SQL"] = ""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from helpdesk.models import User
    from tickets import queue
    from tickets.choices import OPEN_STATUSES
    from tickets.models import Organization, Team, Ticket

    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    top = open_tickets.values("assignee").annotate(n=Count("id")).order_by("-n")
    user = User.objects.get(pk=top.exclude(assignee=None)[0]["assignee"])
    team = Team.objects.get(
        pk=open_tickets.values("team")
        .annotate(n=Count("id"))
        .order_by("-n")
        .exclude(team=None)[0]["team"]
    )
    org = (
        Organization.objects.get(slug="scale-org-0000")
        if Organization.objects.filter(slug="scale-org-0000").exists()
        else Organization.objects.order_by("id").first()
    )
    grid = filters(user.username, team.slug, org.slug, org.name, "users")

    def cell(fields: dict, sort: str) -> tuple[float, float, int, str]:
        """(page 1 ms, deep page ms, queries of the deep page, its rows SQL)."""
        query = queue.QueueQuery(sort=sort, **fields)
        first = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = queue.page(user, query)
            first.append((time.perf_counter() - t0) * 1000)
        deep_query = query
        for _ in range(args.depth):
            if not result.next_cursor:
                break
            deep_query = queue.QueueQuery(sort=sort, cursor=result.next_cursor, **fields)
            result = queue.page(user, deep_query)
        deep = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                queue.page(user, deep_query)
                deep.append((time.perf_counter() - t0) * 1000)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"]
        return statistics.median(first), statistics.median(deep), len(ctx.captured_queries), slowest

    results = []
    started = time.monotonic()
    for label, fields in grid:
        for sort in queue.SORTS:
            p1, deep, queries, sql = cell(fields, sort)
            results.append((max(p1, deep), label, sort, p1, deep, queries, sql))
    results.sort(reverse=True)
    print(
        f"{len(results)} cells ({len(grid)} filters x {len(queue.SORTS)} orders), agent "
        f"{user.username}, {time.monotonic() - started:.0f} s; median of {args.repeat} runs"
    )
    print(f"{'filter':<44} {'order':<12} {'page 1':>8} {'deep':>8} {'queries':>7}")
    over = 0
    for worst, label, sort, p1, deep, queries, sql in results:
        flag = "  OVER" if worst > BUDGET_MS or queries > 10 else ""
        over += bool(flag)
        print(f"{label:<44} {sort:<12} {p1:8.1f} {deep:8.1f} {queries:7d}{flag}")
        if flag and args.explain:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join("    " + r[0] for r in cursor.fetchall()))
    print(f"{over} cell(s) over {BUDGET_MS:.0f} ms or 10 queries")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
