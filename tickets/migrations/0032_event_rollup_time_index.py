from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # The timeline is the largest table: its indexes are built without locking out writes.
    atomic = False

    dependencies = [
        ("tickets", "0031_add_satisfaction_survey"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="ticketevent", name="event_created_brin"),
        AddIndexConcurrently(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("kind__in", ["created", "status", "escalation"])),
                fields=["created_at"],
                name="event_rollup_time",
            ),
        ),
    ]
