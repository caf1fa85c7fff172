"""A trigram index of ticket titles, so a search tolerates typos (word_similarity) over a million
tickets. Built concurrently: writes to tickets go on while it builds."""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0021_queue_open_created_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_title_trgm"
            " ON tickets_ticket USING gin (title gin_trgm_ops)",
            "DROP INDEX CONCURRENTLY IF EXISTS ticket_title_trgm",
        )
    ]
