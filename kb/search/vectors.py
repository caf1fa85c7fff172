"""The text-search expressions of articles and known issues.

Each is spelt once here and used both by the expression GIN indexes (migration kb 0003) and by
the queries, because PostgreSQL uses an expression index only for the identical expression.
Titles weigh A, summaries, components and error signatures B, bodies, symptoms and workarounds C,
so a title match ranks above a body match.

The weighted vectors are stored: each table has a `search_vector` column generated from these
expressions (migration kb 0004), which the ORM does not map. Reading a stored vector is what
makes ranking a few hundred matches cheap; recomputing it from a body took 70 ms for 480 rows.
"""

from __future__ import annotations

ARTICLE_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, title), 'A')"
    " || setweight(to_tsvector('english'::regconfig, summary), 'B')"
    " || setweight(to_tsvector('english'::regconfig, body), 'C'))"
)

# array_to_string() is only STABLE, so an index cannot call it; kb_signatures_text() is the same
# join declared IMMUTABLE (true for text arrays).
KNOWN_ISSUE_VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, external_id || ' ' || title), 'A')"
    " || setweight(to_tsvector('english'::regconfig,"
    " component || ' ' || kb_signatures_text(error_signatures)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, symptoms || ' ' || workaround), 'C'))"
)

TICKET_VECTOR = "search_vector"
ARTICLE_COLUMN = "search_vector"
KNOWN_ISSUE_COLUMN = "search_vector"

SIGNATURES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION kb_signatures_text(text[]) RETURNS text"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$"
)
