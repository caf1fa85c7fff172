"""Full-text and trigram indexes of articles and known issues (kb.search.vectors)."""

from django.db import migrations

from kb.search.vectors import ARTICLE_VECTOR, KNOWN_ISSUE_VECTOR, SIGNATURES_FUNCTION

# Spelt out here rather than imported at run time would freeze the expressions, but the queries
# must match the index exactly: a change to kb.search.vectors needs a new migration anyway.
FORWARD = [
    SIGNATURES_FUNCTION,
    f"CREATE INDEX kb_article_search ON kb_article USING gin ({ARTICLE_VECTOR})",
    "CREATE INDEX kb_article_title_trgm ON kb_article USING gin (title gin_trgm_ops)",
    f"CREATE INDEX kb_known_issue_search ON kb_knownissue USING gin ({KNOWN_ISSUE_VECTOR})",
    "CREATE INDEX kb_known_issue_title_trgm ON kb_knownissue USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS kb_known_issue_title_trgm",
    "DROP INDEX IF EXISTS kb_known_issue_search",
    "DROP INDEX IF EXISTS kb_article_title_trgm",
    "DROP INDEX IF EXISTS kb_article_search",
    "DROP FUNCTION IF EXISTS kb_signatures_text(text[])",
]


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_search"), ("tickets", "0002_timeline_append_only")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
