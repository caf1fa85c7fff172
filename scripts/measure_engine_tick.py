"""Measure one engine tick against a synthetic backlog: N open tickets with SLA clocks, of which
a share is due now. Builds the rows with set-based SQL in the database DATABASE_URL points at
(use a scratch database), runs the SLA module inside a transaction, reports wall time, database
time and statement count, then rolls everything back so the measurement can be repeated.

Usage: DATABASE_URL=.../helpdesk_tick python scripts/measure_engine_tick.py [--open 100000]
       [--due 17000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from helpdesk import clock  # noqa: E402
from tickets.sla import engine as sla_engine  # noqa: E402

BUILD = """
INSERT INTO helpdesk_user (password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, role)
SELECT '!', false, 'tick-agent-' || g, 'Agent', g::text, 'tick-agent-' || g || '@example.com',
    false, true, now(), 'agent'
FROM generate_series(1, 300) g ON CONFLICT DO NOTHING;

INSERT INTO tickets_team (name, slug, is_security, lead_id)
SELECT 'Tick team ' || g, 'tick-team-' || g, false,
    (SELECT id FROM helpdesk_user WHERE username = 'tick-agent-' || g)
FROM generate_series(1, 6) g ON CONFLICT DO NOTHING;

INSERT INTO tickets_organization (name, slug, tier, domain, created_at)
SELECT 'Tick org ' || g, 'tick-org-' || g,
    (ARRAY['enterprise', 'business', 'free', 'free'])[1 + g % 4], '', now()
FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING;
"""

TICKETS = """
INSERT INTO tickets_ticket (number, title, description, issue_type, severity, category,
    environment, channel, status, organization_id, assignee_id, team_id, business_impact,
    workaround_available, workaround, product_version, browser, platform, account_type,
    error_message, request_id, affected_endpoint, recent_changes, tags, is_security,
    created_at, updated_at, sla_kind, sla_paused, sla_credit_review)
SELECT 5000000 + g, 'Synthetic ticket ' || g, '', 'bug', 1 + g %% 4, 'other', 'production',
    'email', 'investigating',
    (SELECT min(id) FROM tickets_organization WHERE slug LIKE 'tick-org-%%') + g %% 1000,
    (SELECT min(id) FROM helpdesk_user WHERE username LIKE 'tick-agent-%%') + g %% 300,
    (SELECT min(id) FROM tickets_team WHERE slug LIKE 'tick-team-%%') + g %% 6,
    '', false, '', '', '', '', '', '', '', '', '', '{}', false,
    now() - interval '2 hours', now() - interval '2 hours', 'resolution', false, false
FROM generate_series(1, %(open)s) g;

INSERT INTO tickets_slatarget (ticket_id, kind, cycle, policy_id, calendar_id, target,
    started_at, pauses, due_at, warn_at, next_check_at, explanation)
SELECT t.id, k.kind, 1, p.id, p.calendar_id, interval '4 hours', t.created_at, '[]',
    CASE WHEN row_number() OVER () <= %(due)s THEN now() - interval '1 minute'
         ELSE now() + interval '2 days' END,
    CASE WHEN row_number() OVER () <= %(due)s THEN now() - interval '30 minutes'
         ELSE now() + interval '1 day' END,
    CASE WHEN row_number() OVER () <= %(due)s THEN now() - interval '1 minute'
         ELSE now() + interval '1 day' END,
    ''
FROM tickets_ticket t
CROSS JOIN (VALUES ('resolution')) k(kind)
JOIN tickets_slapolicy p ON p.severity = t.severity
WHERE t.number > 5000000;
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=17_000)
    args = parser.parse_args()
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # raw psycopg2: multi-statement SQL
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE number > 5000000")
        if cursor.fetchone()[0] < args.open:
            started = time.monotonic()
            cursor.execute(BUILD)
            cursor.execute(TICKETS, {"open": args.open, "due": args.due})
            connection.connection.commit()
            print(f"built {args.open} open tickets in {time.monotonic() - started:.1f} s")
        cursor.execute("SELECT count(*) FROM tickets_slatarget WHERE next_check_at IS NOT NULL")
        timers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM tickets_slatarget WHERE next_check_at <= now()")
        due = cursor.fetchone()[0]
    print(f"timers: {timers} active, {due} due")

    db_ms = 0.0
    statements = 0

    def timed(execute, sql, params, many, context):
        nonlocal db_ms, statements
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_ms += (time.perf_counter() - start) * 1000
            statements += 1

    sla_engine.TIME_BUDGET_SECONDS = 600  # measure the whole backlog in one run
    now = clock.now()
    started = time.perf_counter()
    with connection.execute_wrapper(timed), transaction.atomic():
        handled = sla_engine.run(now)
        wall_ms = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    print(
        f"handled {handled} due timers: wall {wall_ms:.0f} ms, database {db_ms:.0f} ms, "
        f"{statements} statements, {wall_ms / max(handled, 1):.3f} ms per timer"
    )


if __name__ == "__main__":
    main()
