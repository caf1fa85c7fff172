"""Rolls the timeline and the SLA log into TicketRollup rows for a range of UTC days.

Definitions (docs/decisions.md, Dashboard):
- created: the ticket's creation event; resolved: a status event into resolved or closed from
  an open status; its time to resolve (first resolution only) is from the ticket's creation.
- first-contact resolution: a first resolution with at most one public reply by the support side
  before it and no escalation before it.
- reopened: a status event out of resolved or closed within 7 days of a resolution.
- escalated: the ticket's first escalation event (tier or engineering).
- SLA met/breached: each target period once, from the SLA log: breached when the log has its
  breach, met when it was fulfilled without one (a resolution fulfilled again after a reopen
  counts once); filed on the day it was decided. The first
  response time is from creation to the first response's fulfilment.
- backlog: tickets open at the end of the day (from the status events), by age since creation.
A ticket's figures are filed under its organization, channel and category, its organization's
tier, and its severity and team as they stand when its days are rolled. The engine re-rolls only
the days new log rows fall on, so editing a ticket later files nothing of its past anew; a
rebuild files all of it under the ticket's fields of that moment.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction

from ..choices import OPEN_STATUSES
from .buckets import BOUNDS_MINUTES, SIZE

OPEN = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
DONE = "('resolved', 'closed')"
BOUNDS = "ARRAY[" + ", ".join(str(b) for b in BOUNDS_MINUTES) + "]::int[]"
DIMENSIONS = "team_id, severity, channel, tier, category"
COUNTS = [
    "created",
    "resolved",
    "first_resolutions",
    "first_contact_resolutions",
    "reopened",
    "escalated",
    "first_response_met",
    "first_response_breached",
    "update_met",
    "update_breached",
    "resolution_met",
    "resolution_breached",
]
HISTOGRAMS = ("first_response_minutes", "resolve_minutes")
AGES = ("under_1d", "from_1_to_3d", "from_3_to_7d", "from_7_to_30d", "over_30d")


# Resolution events: into resolved or closed from an open status (resolved -> closed is none).
def resolution(alias: str) -> str:
    return (
        f"{alias}.kind = 'status' AND {alias}.after #>> '{{}}' IN {DONE} "
        f"AND coalesce({alias}.before #>> '{{}}', 'new') NOT IN {DONE}"
    )


def _histogram_of(bucket: str) -> str:
    # width_bucket gives 0..len(bounds); bucket i counts durations <= BOUNDS_MINUTES[i].
    cells = ", ".join(f"count(*) FILTER (WHERE {bucket} = {index})" for index in range(SIZE))
    return f"ARRAY[{cells}]::int[]"


def _sum_histogram(column: str) -> str:
    cells = ", ".join(f"coalesce(sum({column}[{index + 1}]), 0)" for index in range(SIZE))
    return f"ARRAY[{cells}]::int[]"


def _minutes_bucket(since: str, until: str) -> str:
    # width_bucket counts the bounds at or below the value; a microsecond less files a
    # duration equal to a bound under that bound ("30 min" is within "<= 30 min").
    return (
        f"width_bucket(extract(epoch FROM {until} - {since} - interval '1 microsecond') / 60, "
        f"{BOUNDS})"
    )


def _day(column: str) -> str:
    return f"({column} AT TIME ZONE 'UTC')::date"


# One row per fact: (ticket, day, what it counts, the duration bucket it fills). Every source is
# read by its time, so rolling a day reads that day's rows only.
FACTS = f"""
WITH
resolutions AS (
    SELECT e.id, e.ticket_id, e.created_at FROM tickets_ticketevent e
    WHERE {resolution("e")} AND e.created_at >= %(lo)s::timestamptz - interval '7 days'
      AND e.created_at < %(hi)s
),
first_resolutions AS (
    SELECT r.* FROM resolutions r
    WHERE r.created_at >= %(lo)s
      AND NOT EXISTS (SELECT 1 FROM tickets_ticketevent p
                      WHERE p.ticket_id = r.ticket_id AND {resolution("p")}
                        AND (p.created_at, p.id) < (r.created_at, r.id))
),
facts AS (
    SELECT ticket_id, {_day("created_at")} AS day, 'created' AS measure, NULL::int AS bucket
    FROM tickets_ticketevent
    WHERE kind = 'created' AND created_at >= %(lo)s AND created_at < %(hi)s
  UNION ALL
    SELECT ticket_id, {_day("created_at")}, 'resolved', NULL
    FROM resolutions WHERE created_at >= %(lo)s
  UNION ALL
    SELECT r.ticket_id, {_day("r.created_at")}, 'first_resolutions',
           {_minutes_bucket("t.created_at", "r.created_at")}
    FROM first_resolutions r JOIN tickets_ticket t ON t.id = r.ticket_id
  UNION ALL
    SELECT r.ticket_id, {_day("r.created_at")}, 'first_contact_resolutions', NULL
    FROM first_resolutions r
    WHERE NOT EXISTS (SELECT 1 FROM tickets_ticketevent x WHERE x.ticket_id = r.ticket_id
                      AND x.kind = 'escalation' AND x.created_at <= r.created_at)
      AND (SELECT count(*) FROM tickets_ticketevent x JOIN helpdesk_user u ON u.id = x.actor_id
           WHERE x.ticket_id = r.ticket_id AND x.kind = 'reply' AND u.role <> 'customer'
             AND x.created_at <= r.created_at) <= 1
  UNION ALL
    SELECT e.ticket_id, {_day("e.created_at")}, 'reopened', NULL
    FROM tickets_ticketevent e
    WHERE e.kind = 'status' AND e.created_at >= %(lo)s AND e.created_at < %(hi)s
      AND e.before #>> '{{}}' IN {DONE} AND e.after #>> '{{}}' IN {OPEN}
      AND EXISTS (SELECT 1 FROM resolutions p WHERE p.ticket_id = e.ticket_id
                  AND p.created_at < e.created_at
                  AND p.created_at >= e.created_at - interval '7 days')
  UNION ALL
    SELECT e.ticket_id, {_day("e.created_at")}, 'escalated', NULL
    FROM tickets_ticketevent e
    WHERE e.kind = 'escalation' AND e.created_at >= %(lo)s AND e.created_at < %(hi)s
      AND NOT EXISTS (SELECT 1 FROM tickets_ticketevent p WHERE p.ticket_id = e.ticket_id
                      AND p.kind = 'escalation' AND (p.created_at, p.id) < (e.created_at, e.id))
  UNION ALL
    SELECT ticket_id, {_day("at")}, target_kind || '_breached', NULL
    FROM tickets_slaevent
    WHERE kind = 'breached' AND at >= %(lo)s AND at < %(hi)s
  UNION ALL
    SELECT s.ticket_id, {_day("s.at")}, s.target_kind || '_met', NULL
    FROM tickets_slaevent s
    WHERE s.kind = 'fulfilled' AND s.at >= %(lo)s AND s.at < %(hi)s
      AND NOT EXISTS (SELECT 1 FROM tickets_slaevent b WHERE b.ticket_id = s.ticket_id
                      AND b.target_kind = s.target_kind AND b.cycle = s.cycle
                      AND (b.kind = 'breached' OR (b.kind = 'fulfilled' AND b.id < s.id)))
  UNION ALL
    SELECT s.ticket_id, {_day("s.at")}, 'first_response_time',
           {_minutes_bucket("t.created_at", "s.at")}
    FROM tickets_slaevent s JOIN tickets_ticket t ON t.id = s.ticket_id
    WHERE s.kind = 'fulfilled' AND s.target_kind = 'first_response'
      AND s.at >= %(lo)s AND s.at < %(hi)s
)
"""

TICKET_DIMENSIONS = "t.team_id, t.severity, t.channel, o.tier, t.category"

FLOWS_INSERT = (
    FACTS
    + f"""
INSERT INTO tickets_ticketrollup (grain, day, organization_id, {DIMENSIONS},
    {", ".join(COUNTS)}, {", ".join(HISTOGRAMS)})
SELECT 'org_day', f.day, t.organization_id, {TICKET_DIMENSIONS},
       {", ".join(f"count(*) FILTER (WHERE f.measure = '{m}')" for m in COUNTS)},
       {_histogram_of("CASE WHEN f.measure = 'first_response_time' THEN f.bucket END")},
       {_histogram_of("CASE WHEN f.measure = 'first_resolutions' THEN f.bucket END")}
FROM facts f
JOIN tickets_ticket t ON t.id = f.ticket_id
JOIN tickets_organization o ON o.id = t.organization_id
GROUP BY f.day, t.organization_id, {TICKET_DIMENSIONS}
"""
)

FLOWS_DAY_INSERT = f"""
INSERT INTO tickets_ticketrollup (grain, day, organization_id, {DIMENSIONS},
    {", ".join(COUNTS)}, {", ".join(HISTOGRAMS)})
SELECT 'day', day, NULL, {DIMENSIONS}, {", ".join(f"sum({c})" for c in COUNTS)},
       {", ".join(_sum_histogram(h) for h in HISTOGRAMS)}
FROM tickets_ticketrollup
WHERE grain = 'org_day' AND day BETWEEN %(first)s AND %(last)s
GROUP BY day, {DIMENSIONS}
"""

FLOWS_MONTH_INSERT = f"""
INSERT INTO tickets_ticketrollup (grain, day, organization_id, {DIMENSIONS},
    {", ".join(COUNTS)}, {", ".join(HISTOGRAMS)})
SELECT 'month', date_trunc('month', day)::date, NULL, {DIMENSIONS},
       {", ".join(f"sum({c})" for c in COUNTS)},
       {", ".join(_sum_histogram(h) for h in HISTOGRAMS)}
FROM tickets_ticketrollup
WHERE grain = 'day' AND day BETWEEN %(first_month)s AND %(last_month_end)s
GROUP BY date_trunc('month', day), {DIMENSIONS}
"""

FLOWS_MONTH_ALL_INSERT = f"""
INSERT INTO tickets_ticketrollup (grain, day, organization_id, {DIMENSIONS},
    {", ".join(COUNTS)}, {", ".join(HISTOGRAMS)})
SELECT 'month_all', day, NULL, NULL, severity, '', '', category,
       {", ".join(f"sum({c})" for c in COUNTS)},
       {", ".join(_sum_histogram(h) for h in HISTOGRAMS)}
FROM tickets_ticketrollup
WHERE grain = 'month' AND day BETWEEN %(first_month)s AND %(last_month_end)s
GROUP BY day, severity, category
"""

# Open at the end of a day: the last status the timeline gives the ticket by then is open (a
# ticket starts as new at its creation). `candidates` bounds the tickets read: any ticket open
# on one of the days is open now or changed status since the first of them, and a status change
# moves the ticket's updated_at (which never goes back), so the tickets open now or updated
# since are enough (all of them, or one organization's).
SPELLS = f"""
candidates AS (
    SELECT id FROM tickets_ticket
    WHERE (%(everything)s OR status IN {OPEN} OR updated_at >= %(lo)s)
      AND %(organization)s::bigint IS NULL
    UNION
    SELECT id FROM tickets_ticket
    WHERE organization_id = %(organization)s::bigint
      AND (status IN {OPEN} OR updated_at >= %(lo)s)
),
transitions AS (
    SELECT t.id AS ticket_id, t.created_at AS at, 0::bigint AS seq, 'new' AS status
    FROM tickets_ticket t JOIN candidates c ON c.id = t.id
    WHERE t.created_at < %(hi)s
    UNION ALL
    SELECT e.ticket_id, e.created_at, e.id, e.after #>> '{{}}'
    FROM tickets_ticketevent e JOIN candidates c ON c.id = e.ticket_id
    WHERE e.kind = 'status' AND e.created_at < %(hi)s
),
spells AS (
    SELECT ticket_id, at AS since, status,
           lead(at) OVER (PARTITION BY ticket_id ORDER BY at, seq) AS until
    FROM transitions
)"""

# The age buckets in days since creation, [from, to).
AGE_SPANS = ((0, 1), (1, 3), (3, 7), (7, 30), (30, None))


def _ceil_midnight(instant: str) -> str:
    return (
        f"(date_trunc('day', {instant}) + CASE WHEN {instant} = date_trunc('day', {instant}) "
        "THEN interval '0' ELSE interval '1 day' END)"
    )


def _age_segments() -> str:
    """One row per open spell and age bucket: the UTC days [first_day, last_day] at whose end
    the ticket is open with an age in that bucket. Open at the end of day d means
    since < d + 1 day <= until; aged [a, b) means a <= d + 1 day - created < b."""
    spell_last = "coalesce(date_trunc('day', s.until) - interval '1 day', %(last_ts)s)"
    parts = []
    for name, (low, high) in zip(AGES, AGE_SPANS, strict=True):
        from_age = _ceil_midnight(f"(s.created + interval '{low - 1} days')")
        to_age = "%(last_ts)s"
        if high is not None:
            to_age = _ceil_midnight(f"(s.created + interval '{high - 1} days')")
            to_age = f"{to_age} - interval '1 day'"
        parts.append(
            f"SELECT s.*, '{name}' AS age, "
            f"greatest(date_trunc('day', s.since), {from_age}, %(first_ts)s)::date AS first_day, "
            f"least({spell_last}, {to_age}, %(last_ts)s)::date AS last_day "
            "FROM open_spells s"
        )
    return "\n  UNION ALL\n".join(parts)


# The stock at each day's end, from +1/-1 steps where each (spell, age bucket) starts and ends:
# reads each status change once rather than each open ticket once per day.
BACKLOG_STEPS = f"""
WITH
{SPELLS},
open_spells AS (
    SELECT sp.since, sp.until, t.created_at AS created, t.organization_id,
           {TICKET_DIMENSIONS}
    FROM spells sp
    JOIN tickets_ticket t ON t.id = sp.ticket_id
    JOIN tickets_organization o ON o.id = t.organization_id
    WHERE sp.status IN {OPEN} AND sp.since < %(hi)s
      AND (sp.until IS NULL OR sp.until >= %(lo)s::timestamptz + interval '1 day')
),
segments AS (
  {_age_segments()}
),
steps AS (
    -- No team is team 0 here, so the joins below are plain equalities (hashable).
    SELECT first_day AS day, coalesce(team_id, 0) AS team_id, severity, channel, tier, age,
           1 AS step
    FROM segments WHERE first_day <= last_day
    UNION ALL
    SELECT last_day + 1, coalesce(team_id, 0), severity, channel, tier, age, -1
    FROM segments WHERE first_day <= last_day AND last_day < %(last)s
),
combos AS (SELECT DISTINCT team_id, severity, channel, tier, age FROM steps),
grid AS (
    SELECT d::date AS day, c.* FROM combos c
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
),
stock AS (
    SELECT g.day, g.team_id, g.severity, g.channel, g.tier, g.age,
           sum(coalesce(st.step, 0)) OVER (
               PARTITION BY g.team_id, g.severity, g.channel, g.tier, g.age ORDER BY g.day
           ) AS open
    FROM grid g
    LEFT JOIN (
        SELECT day, team_id, severity, channel, tier, age, sum(step) AS step
        FROM steps GROUP BY day, team_id, severity, channel, tier, age
    ) st ON st.day = g.day AND st.age = g.age AND st.severity = g.severity
        AND st.channel = g.channel AND st.tier = g.tier
        AND st.team_id = g.team_id
)
SELECT day, nullif(team_id, 0) AS team_id, severity, channel, tier, sum(open)::int AS total,
       {", ".join(f"coalesce(sum(open) FILTER (WHERE age = '{a}'), 0)::int AS {a}" for a in AGES)}
FROM stock
GROUP BY day, team_id, severity, channel, tier
HAVING sum(open) > 0
"""

# One organization's backlog by age, its filters applied to the spells: a handful of (day, age)
# steps rather than every dimension's (the panel sums them anyway), so even a customer with
# tens of thousands of tickets reads in well under the 30-day budget.
_AGE_VALUES = ", ".join(f"('{a}')" for a in AGES)
ORGANIZATION_BACKLOG = f"""
WITH
{SPELLS},
open_spells AS (
    SELECT sp.since, sp.until, t.created_at AS created
    FROM spells sp
    JOIN tickets_ticket t ON t.id = sp.ticket_id
    JOIN tickets_organization o ON o.id = t.organization_id
    WHERE sp.status IN {OPEN} AND sp.since < %(hi)s
      AND (sp.until IS NULL OR sp.until >= %(lo)s::timestamptz + interval '1 day')
      AND (%(team)s::bigint IS NULL OR t.team_id = %(team)s::bigint)
      AND (%(severity)s::int IS NULL OR t.severity = %(severity)s::int)
      AND (%(channel)s::text IS NULL OR t.channel = %(channel)s::text)
      AND (%(tier)s::text IS NULL OR o.tier = %(tier)s::text)
),
segments AS (
  {_age_segments()}
),
steps AS (
    SELECT first_day AS day, age, count(*) AS step
    FROM segments WHERE first_day <= last_day GROUP BY 1, 2
    UNION ALL
    SELECT last_day + 1, age, -count(*)
    FROM segments WHERE first_day <= last_day AND last_day < %(last)s GROUP BY 1, 2
),
grid AS (
    SELECT d::date AS day, a.age FROM (VALUES {_AGE_VALUES}) a(age)
    CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
),
stock AS (
    SELECT g.day, g.age,
           sum(coalesce(st.step, 0)) OVER (PARTITION BY g.age ORDER BY g.day) AS open
    FROM grid g
    LEFT JOIN (SELECT day, age, sum(step) AS step FROM steps GROUP BY day, age) st
        ON st.day = g.day AND st.age = g.age
)
SELECT day, sum(open)::int AS total,
       {", ".join(f"coalesce(sum(open) FILTER (WHERE age = '{a}'), 0)::int AS {a}" for a in AGES)}
FROM stock
GROUP BY day
HAVING sum(open) > 0
ORDER BY day
"""

BACKLOG_INSERT = f"""
INSERT INTO tickets_backlogrollup (grain, day, organization_id, {DIMENSIONS}, total,
    {", ".join(AGES)})
SELECT 'day', day, NULL, team_id, severity, channel, tier, '', total, {", ".join(AGES)}
FROM ({BACKLOG_STEPS}) b
"""

AGE_BUCKET = """CASE WHEN age < interval '1 day' THEN 'under_1d'
                WHEN age < interval '3 days' THEN 'from_1_to_3d'
                WHEN age < interval '7 days' THEN 'from_3_to_7d'
                WHEN age < interval '30 days' THEN 'from_7_to_30d'
                ELSE 'over_30d' END"""

# Today's backlog as it stands: every status change writes its timeline event in the same
# transaction, so the tickets open now are the ones the timeline leaves open now.
BACKLOG_NOW_INSERT = f"""
INSERT INTO tickets_backlogrollup (grain, day, organization_id, {DIMENSIONS}, total,
    {", ".join(AGES)})
SELECT 'day', %(first)s, NULL, t.team_id, t.severity, t.channel, o.tier, '', count(*),
       {", ".join(f"count(*) FILTER (WHERE {AGE_BUCKET} = '{a}')" for a in AGES)}
FROM tickets_ticket t
JOIN tickets_organization o ON o.id = t.organization_id
CROSS JOIN LATERAL (SELECT %(hi)s::timestamptz - t.created_at AS age) a
WHERE t.status IN {OPEN}
GROUP BY t.team_id, t.severity, t.channel, o.tier
"""


def _params(first: date, last: date, everything: bool, organization: int | None = None) -> dict:
    first_month = first.replace(day=1)
    next_month = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {
        "first": first,
        "last": last,
        "first_ts": first.isoformat(),
        "last_ts": last.isoformat(),
        "lo": first.isoformat(),
        "hi": (last + timedelta(days=1)).isoformat(),
        "everything": everything,
        "organization": organization,
        "first_month": first_month,
        "last_month_end": next_month - timedelta(days=1),
    }


def _execute(sql: str, params: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(sql, params)


@transaction.atomic
def roll_flows(*, first: date, last: date) -> None:
    """Replace the counts of the UTC days first..last, and of the months they fall in."""
    params = _params(first, last, False)
    _execute(
        "DELETE FROM tickets_ticketrollup WHERE grain IN ('org_day', 'day') "
        "AND day BETWEEN %(first)s AND %(last)s",
        params,
    )
    _execute(FLOWS_INSERT, params)
    _execute(FLOWS_DAY_INSERT, params)
    _execute(
        "DELETE FROM tickets_ticketrollup WHERE grain IN ('month', 'month_all') "
        "AND day BETWEEN %(first_month)s AND %(last_month_end)s",
        params,
    )
    _execute(FLOWS_MONTH_INSERT, params)
    _execute(FLOWS_MONTH_ALL_INSERT, params)


@transaction.atomic
def roll_backlog(*, first: date, last: date, everything: bool = False) -> None:
    """Replace the end-of-day backlogs of the UTC days first..last, from the timeline.
    `everything` reads every ticket's status history (a full rebuild)."""
    params = _params(first, last, everything)
    _delete_backlog(params)
    _execute(BACKLOG_INSERT, params)
    _execute(BACKLOG_DAY_ALL_INSERT, params)


@transaction.atomic
def roll_backlog_now(*, today: date) -> None:
    """Today's backlog as it stands: the figure the day ends with once nothing changes."""
    params = _params(today, today, False)
    _delete_backlog(params)
    _execute(BACKLOG_NOW_INSERT, params)
    _execute(BACKLOG_DAY_ALL_INSERT, params)


BACKLOG_DAY_ALL_INSERT = f"""
INSERT INTO tickets_backlogrollup (grain, day, organization_id, {DIMENSIONS}, total,
    {", ".join(AGES)})
SELECT 'day_all', day, NULL, NULL, severity, '', '', '', sum(total),
       {", ".join(f"sum({a})" for a in AGES)}
FROM tickets_backlogrollup
WHERE grain = 'day' AND day BETWEEN %(first)s AND %(last)s
GROUP BY day, severity
"""


def _delete_backlog(params: dict) -> None:
    _execute("DELETE FROM tickets_backlogrollup WHERE day BETWEEN %(first)s AND %(last)s", params)


ORGANIZATION_BACKLOG_COLUMNS = ("day", "total", *AGES)


def backlog_of_organization(
    *,
    organization: int,
    first: date,
    last: date,
    team: int | None = None,
    severity: int | None = None,
    channel: str = "",
    tier: str = "",
) -> list[dict]:
    """One organization's end-of-day backlogs by age, straight from its tickets' timelines
    (storing every organization's stock per day would be millions of rows)."""
    params = {
        **_params(first, last, False, organization),
        "team": team,
        "severity": severity,
        "channel": channel or None,
        "tier": tier or None,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(ORGANIZATION_BACKLOG, params)
        return [dict(zip(ORGANIZATION_BACKLOG_COLUMNS, row, strict=True)) for row in cursor]


def roll(*, first: date, last: date, everything: bool = False) -> None:
    if last >= first:
        roll_flows(first=first, last=last)
        roll_backlog(first=first, last=last, everything=everything)
