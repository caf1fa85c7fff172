"""The queue's statements can read an index in order from the cursor, checked on EXPLAIN.

Each statement is explained with sorting disabled: the planner then takes a path that reads an
index in the list's order when the statement and the indexes allow one, and sorts only when
none exists. That is what these tests hold: the shape of each statement and the indexes beside
it. Which path the planner prefers depends on the sizes (at this scale sorting a few thousand
rows is cheap); `make bench` EXPLAINs the same statements on the 1M dataset.

At a realistic small scale (60,000 tickets, a tenth of them open, as in the 1M dataset) and with
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
from tests.factories import make_ticket
from tickets import queue
from tickets.models import Organization, Team, Ticket

pytestmark = pytest.mark.django_db

TICKETS = 60_000
ORGS = 1000
PAGE = 50
# Newest first among the tickets with no running clock: the planner may walk every ticket by
# creation and skip the running ones when they are spread thin; either way in order.
NO_CLOCK_ORDER = ("ticket_noclock_created", "ticket_created")


@pytest.fixture
def loaded(agent):
    """Rows copied from one ticket made through the services: every tenth open, most of the open
    ones with a running clock (half of those breached), the rest closed, over three years."""
    template = make_ticket(actor=agent)
    # As many customers as the 1M dataset has (the planner weighs a loop over them).
    orgs = [
        o.pk
        for o in Organization.objects.bulk_create(
            Organization(name=f"Customer {i}", slug=f"customer-{i}") for i in range(ORGS)
        )
    ]
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
                   (%s::bigint[])[CASE WHEN g %% 4 = 1 THEN 1 ELSE 1 + (g / 10) %% 1000 END],
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
        # Statistics from every row, so the plans do not depend on which rows were sampled.
        cursor.execute("SET LOCAL default_statistics_target = 1000")
        cursor.execute("ANALYZE tickets_ticket")
    return {"orgs": orgs}


def _plans(agent, query: queue.QueueQuery) -> list[dict]:
    """The EXPLAIN (ANALYZE) of each rows query the page ran (those with ORDER BY)."""
    with CaptureQueriesContext(connection) as ctx:
        queue.page(agent, query)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        for captured in ctx.captured_queries:
            if "ORDER BY" not in captured["sql"] or captured["sql"].startswith("SELECT COUNT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + captured["sql"])
            raw = cursor.fetchone()[0]
            plans.append((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"])
    return plans


def _nodes(plan: dict):
    """The plan's nodes, without the subqueries run once (a slug or name resolved to an id)."""
    yield plan
    for child in plan.get("Plans", ()):
        if child.get("Parent Relationship") not in ("InitPlan", "SubPlan"):
            yield from _nodes(child)


def _scan(plan: dict) -> dict:
    scans = [n for n in _nodes(plan) if n.get("Relation Name") == "tickets_ticket"]
    assert len(scans) == 1, [n["Node Type"] for n in _nodes(plan)]
    return scans[0]


def _assert_reads_in_order(plan: dict, *indexes: str) -> dict:
    shape = [(n["Node Type"], n.get("Index Name"), n.get("Plan Rows")) for n in _nodes(plan)]
    assert not [n for n in _nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")], shape
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

    scan = _assert_reads_in_order(rows, "ticket_clock_due")
    assert "ROW(" in scan["Index Cond"].upper()
    # "Breached" already says the open statuses: said twice, the planner expected a tenth of
    # the window and sorted it all from the status-led index at 1M (59 ms for page 21).
    assert "status" not in json.dumps(scan).lower()


def test_breached_within_one_agent_keeps_the_open_status_for_its_index(agent, loaded):
    mine = queue.QueueQuery(sla="breached", assignee="me")
    assert "status" in str(queue.filtered(agent, mine).query).split("WHERE", 1)[1]


def test_any_status_reads_the_running_clocks_then_the_rest_newest_first(agent, loaded):
    query = queue.QueueQuery(status=("all",))
    # Page 1 is all running clocks; 100 pages on are past them (4,800 running, 50 a page).
    (due,) = _plans(agent, query)
    _assert_reads_in_order(due, "ticket_open_sla_due")

    deep = _deep(agent, query, 100)
    (rest,) = _plans(agent, deep)
    scan = _assert_reads_in_order(rest, *NO_CLOCK_ORDER)
    assert "ROW(" in scan["Index Cond"].upper()


def test_any_status_for_one_customer_reads_its_own_index(agent, loaded):
    # The biggest customer (a quarter of the tickets, none of them open): page 11.
    org = Organization.objects.get(pk=loaded["orgs"][0])
    deep = _deep(agent, queue.QueueQuery(status=("all",), organization=org.slug), 10)

    plans = _plans(agent, deep)

    assert len(plans) == 1, [p["Node Type"] for p in plans]
    _assert_reads_in_order(plans[0], "ticket_org_noclock_created", "ticket_org_created")


def test_closed_tickets_in_the_default_order_skip_the_running_clocks(agent, loaded):
    plans = _plans(agent, queue.QueueQuery(status=("closed",)))

    assert len(plans) == 1  # no statement for clocks that cannot run
    _assert_reads_in_order(plans[0], *NO_CLOCK_ORDER)


def test_each_statement_filters_the_statuses_once(agent, loaded):
    """A second `status IN (...)` (the open queue's filter and the running clocks' own) made the
    planner expect 49 rows where 67,676 matched at 1M, and sort them all: 0.6 s for page 21."""
    for query in (
        queue.QueueQuery(),
        queue.QueueQuery(q="broken"),
        queue.QueueQuery(status=("all",)),
        queue.QueueQuery(status=("in_progress",)),
    ):
        deep = _deep(agent, query, 2)
        with CaptureQueriesContext(connection) as ctx:
            queue.page(agent, deep)
        for captured in ctx.captured_queries:
            if "tickets_ticket" in captured["sql"] and "ORDER BY" in captured["sql"]:
                assert captured["sql"].count('"status" IN') <= 1, (query, captured["sql"])


@pytest.mark.parametrize(
    ("sla", "reads"),
    [("paused", "no running clock"), ("breached", "running clocks"), ("soon", "running clocks")],
)
def test_an_sla_filter_reads_only_the_part_that_can_match(agent, sla, reads):
    """Paused tickets have no due time and breached ones have one: reading the other part walks
    every row of it to find none (0.6 s for "SLA paused" at 1M)."""
    make_ticket(actor=agent)
    with CaptureQueriesContext(connection) as ctx:
        queue.page(agent, queue.QueueQuery(sla=sla))
    rows = [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"]]
    assert len(rows) == 1, rows
    assert ('"sla_due_at" IS NULL' in rows[0]) is (reads == "no running clock")


def _reshape(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL default_statistics_target = 1000")
        cursor.execute("ANALYZE tickets_ticket")


@pytest.mark.parametrize("sort", ["updated_at", "-updated_at", "created_at", "-created_at"])
def test_one_rare_status_reads_the_index_led_by_the_status(agent, loaded, sort):
    """Resolved tickets are 1 in 100 (as at 1M, where 3,126 of them among 1M in the least
    recently updated order took 2.5 s): the scan starts at the status, on page 1 and deep."""
    _reshape("UPDATE tickets_ticket SET status = 'resolved' WHERE id %% 100 = 5", [])
    index = "ticket_live_status_" + sort.strip("-").removesuffix("_at")
    query = queue.QueueQuery(status=("resolved",), sort=sort)

    for page in (query, _deep(agent, query, 5)):
        (rows,) = _plans(agent, page)
        _assert_reads_in_order(rows, index)


def test_one_status_in_the_default_order_reads_its_clocks_by_status(agent, loaded):
    # New tickets, one in sixty, each with a running clock: every fifth ticket with a clock,
    # counted in id order (the ids themselves start wherever earlier tests left the sequence).
    _reshape(
        "UPDATE tickets_ticket SET status = 'new' WHERE id IN ("
        " SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM tickets_ticket"
        " WHERE sla_due_at IS NOT NULL) AS clocked WHERE n %% 5 = 0)",
        [],
    )
    deep = _deep(agent, queue.QueueQuery(status=("new",)), 5)

    (rows,) = _plans(agent, deep)

    _assert_reads_in_order(rows, "ticket_live_status_sla")


def test_severity_order_within_a_team_reads_one_severity_at_a_time(agent, loaded):
    """A team with no P1 among many P1 elsewhere: the P1 part is an empty range of the team's
    index (a walk through every P1 ticket took 0.4 s at 1M), then each page of its P3 tickets
    starts at the cursor."""
    team = Team.objects.create(name="Tier 1", slug="tier-1")
    _reshape(
        "UPDATE tickets_ticket SET team_id = CASE WHEN id %% 3 = 0 THEN %s END,"
        " severity = CASE WHEN id %% 3 = 0 THEN 3 WHEN id %% 2 = 0 THEN 1 ELSE 4 END",
        [team.pk],
    )
    query = queue.QueueQuery(status=("all",), team=team.slug, sort="severity")

    plans = _plans(agent, query)
    deep = _plans(agent, _deep(agent, query, 5))

    assert len(plans) == 3  # P1 and P2 (none), then P3
    for plan in (*plans, *deep):
        scan = _assert_reads_in_order(plan, "ticket_team_sev_updated")
    assert "ROW(" in scan["Index Cond"].upper()


def test_breached_least_recently_updated_walks_the_running_clocks(agent, loaded):
    """The open tickets updated longest ago wait on the customer (no clock), as at 1M, where
    walking every open ticket by update time read 28,000 of them before the first breached."""
    _reshape(
        "UPDATE tickets_ticket SET status = 'waiting_on_customer', sla_due_at = NULL"
        " WHERE status = 'in_progress' AND id > (SELECT max(id) - 30000 FROM tickets_ticket)",
        [],
    )
    _reshape(
        "UPDATE tickets_ticket SET sla_due_at = now() - interval '1 hour'"
        " WHERE sla_due_at IS NOT NULL AND id / 10 %% 10 <> 3",
        [],
    )
    query = queue.QueueQuery(sla="breached", sort="updated_at")

    for page in (query, _deep(agent, query, 5)):
        (rows,) = _plans(agent, page)
        _assert_reads_in_order(rows, "ticket_open_clock_updated")


def _ticket_rows_read(plan: dict) -> int:
    return sum(
        n["Actual Rows"] * n["Actual Loops"] + n.get("Rows Removed by Filter", 0)
        for n in _nodes(plan)
        if n.get("Relation Name") == "tickets_ticket"
    )


@pytest.mark.parametrize("sort", list(queue.SORTS))
def test_a_tag_on_security_reports_reads_only_what_the_agent_may_see(agent, loaded, sort):
    """Security reports, one in ten, all carry the tag "security"; an agent without
    clearance sees only the ones assigned to them. The tag and the policy apart made the planner
    expect hundreds of visible matches and walk every ticket in order to find none (2 s at 1M):
    each statement now reads a handful of rows, in any order, however its plan is shaped."""
    _reshape(
        "UPDATE tickets_ticket SET is_security = (id %% 10 = 7),"
        " tags = CASE WHEN id %% 10 = 7 THEN '{security}'::varchar[]"
        " WHEN id %% 3 = 0 THEN '{sso}'::varchar[] ELSE '{}'::varchar[] END,"
        " assignee_id = CASE WHEN id %% 10000 = 7 THEN %s END",
        [agent.pk],
    )
    own = set(Ticket.objects.filter(assignee=agent, is_security=True).values_list("pk", flat=True))
    query = queue.QueueQuery(status=("all",), tag="security", sort=sort)

    listed = queue.page(agent, query)

    assert len(own) == 6
    assert {row.pk for row in listed.rows} == own
    with CaptureQueriesContext(connection) as ctx:
        queue.page(agent, query)
    with connection.cursor() as cursor:
        for captured in ctx.captured_queries:
            if "ORDER BY" not in captured["sql"] or captured["sql"].startswith("SELECT COUNT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + captured["sql"])
            raw = cursor.fetchone()[0]
            plan = (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]
            assert _ticket_rows_read(plan) <= 2 * (PAGE + 1), captured["sql"]


def test_a_common_tag_still_reads_in_order(agent, loaded):
    """A tag on two tickets in three: the page is read off the order's index, never sorted."""
    _reshape(
        "UPDATE tickets_ticket SET is_security = (id %% 100 = 7),"
        " tags = CASE WHEN id %% 3 <> 0 THEN '{sso}'::varchar[] ELSE '{}'::varchar[] END",
        [],
    )
    deep = _deep(agent, queue.QueueQuery(status=("all",), tag="sso", sort="-updated_at"), 5)

    (rows,) = _plans(agent, deep)

    _assert_reads_in_order(rows, "ticket_updated")
