from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The timeline is an audit trail: the database itself refuses to rewrite it.
SQL = """
ALTER SEQUENCE tickets_ticket_number_seq OWNED BY tickets_ticket.number;

CREATE FUNCTION tickets_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tickets_event_no_update
BEFORE UPDATE ON tickets_ticketevent
FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only();
"""

REVERSE = """
DROP TRIGGER tickets_event_no_update ON tickets_ticketevent;
DROP FUNCTION tickets_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunSQL(SQL, REVERSE)]
