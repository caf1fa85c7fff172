from django.db import migrations

# Tickets are updated in place all day (status, assignee, SLA flags). Free room on each page lets
# PostgreSQL keep a new row version beside the old one (a HOT update) when no indexed column
# changes, so flagging thousands of breaches in one engine tick writes no index entries at all.
# Pages written from now on keep the room; VACUUM FULL or a reload applies it to older ones.


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_ticket_org_updated_index")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE tickets_ticket SET (fillfactor = 85)",
            "ALTER TABLE tickets_ticket RESET (fillfactor)",
        )
    ]
