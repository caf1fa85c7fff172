"""The queue's statements read an index in order from the cursor, checked on EXPLAIN.

At a realistic small scale (20,000 tickets, a tenth of them open, as in the 1M dataset) and with
fresh statistics, each page's rows query must be an index scan that starts at the cursor and
reads about one page of rows: no Sort node, and no scan that reads thousands of rows to return
fifty (the "SLA breached" page 21 once read 8,545).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk import clock
from tests.factories import OrganizationFactory, make_ticket
from tickets import queue
from tickets.models import Organization, Ticket

pytestmark = pytest.mark.django_db

TICKETS = 20_000
PAGE = 50
# Newest first among the tickets with no running clock: the planner may walk every ticket by
# creation and skip the running ones when they are spread thin; either way in order.
NO_CLOCK_ORDER = ("ticket_noclock_created", "ticket_created")


@pytest.fixture
def loaded(agent):
    """Rows copied from one ticket made through the services: every tenth open, most of the open
    ones with a running clock (half of those breached), the rest closed, over three years."""
    template = make_ticket(actor=agent)
    orgs = [OrganizationFactory().pk for _ in range(20)]
    copied = [
        f.column
        for f in Ticket._meta.concrete_fields
        if f.column not in ("id", "number", "search_vector", "status", "organization_id")
        and f.column not in ("created_at", "updated_at", "sla_due_at", "sla_paused")
    ]
    columns = ", ".join(copied)
    source = ", ".join(f"t.{c}" for c in copied)
    now = clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO tickets_ticket ({columns}, status, organization_id, created_at,
                                        updated_at, sla_due_at, sla_paused)
            SELECT {source},
                   CASE WHEN g %% 10 = 0 THEN 'in_progress' ELSE 'closed' END,
                   (%s::bigint[])[1 + g %% 20],
                   %s - g * interval '75 minutes',
                   %s - g * interval '60 minutes',
                   CASE WHEN g %% 10 = 0 AND g %% 50 <> 0
                        THEN %s + (g %% 997 - 498) * interval '7 minutes' END,
                   false
            FROM tickets_ticket t, generate_series(1, %s) g
            WHERE t.id = %s
            """,
            [orgs, now, now, now, TICKETS, template.pk],
        )
        cursor.execute("ANALYZE tickets_ticket")
    return {"orgs": orgs}


def _plans(agent, query: queue.QueueQuery) -> list[dict]:
    """The EXPLAIN (ANALYZE) of each rows query the page ran (those with ORDER BY)."""
    with CaptureQueriesContext(connection) as ctx:
        queue.page(agent, query)
    plans = []
    with connection.cursor() as cursor:
        for captured in ctx.captured_queries:
            if "ORDER BY" not in captured["sql"] or captured["sql"].startswith("SELECT COUNT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + captured["sql"])
            raw = cursor.fetchone()[0]
            plans.append((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"])
    return plans


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _scan(plan: dict) -> dict:
    scans = [n for n in _nodes(plan) if n.get("Relation Name") == "tickets_ticket"]
    assert len(scans) == 1, [n["Node Type"] for n in _nodes(plan)]
    return scans[0]


def _assert_reads_in_order(plan: dict, *indexes: str) -> dict:
    assert not [n for n in _nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")]
    scan = _scan(plan)
    assert scan.get("Index Name") in indexes
    read = scan["Actual Rows"] * scan["Actual Loops"] + scan.get("Rows Removed by Filter", 0)
    assert read <= 2 * (PAGE + 1), read
    return scan


def _deep(agent, query: queue.QueueQuery, pages: int) -> queue.QueueQuery:
    for _ in range(pages):
        query = queue.QueueQuery(
            **{**query.__dict__, "cursor": queue.page(agent, query).next_cursor}
        )
    return query


def test_breached_deep_page_starts_the_scan_at_the_cursor(agent, loaded):
    deep = _deep(agent, queue.QueueQuery(sla="breached"), 20)

    (rows,) = _plans(agent, deep)

    scan = _assert_reads_in_order(rows, "ticket_open_sla_due")
    assert "ROW(" in scan["Index Cond"].upper()


def test_any_status_reads_the_running_clocks_then_the_rest_newest_first(agent, loaded):
    query = queue.QueueQuery(status=("all",))
    # Page 1 is all running clocks; 40 pages on are past them (1,600 running, 50 a page).
    (due,) = _plans(agent, query)
    _assert_reads_in_order(due, "ticket_open_sla_due")

    deep = _deep(agent, query, 40)
    (rest,) = _plans(agent, deep)
    scan = _assert_reads_in_order(rest, *NO_CLOCK_ORDER)
    assert "ROW(" in scan["Index Cond"].upper()


def test_any_status_for_one_customer_reads_its_own_index(agent, loaded):
    # A customer whose 1,000 tickets are all closed: every page reads its newest first.
    org = Organization.objects.get(pk=loaded["orgs"][4])
    deep = _deep(agent, queue.QueueQuery(status=("all",), organization=org.slug), 10)

    plans = _plans(agent, deep)

    assert len(plans) == 1, [p["Node Type"] for p in plans]
    _assert_reads_in_order(plans[0], "ticket_org_noclock_created", "ticket_org_created")


def test_closed_tickets_in_the_default_order_skip_the_running_clocks(agent, loaded):
    plans = _plans(agent, queue.QueueQuery(status=("closed",)))

    assert len(plans) == 1  # no statement for clocks that cannot run
    _assert_reads_in_order(plans[0], *NO_CLOCK_ORDER)
