from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out writes to the ticket table.
    atomic = False

    dependencies = [
        ("tickets", "0034_backlog_day_all_grain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("sla_due_at__isnull", False)),
                fields=["sla_due_at", "id"],
                include=("is_security", "assignee"),
                name="ticket_clock_due",
            ),
        ),
    ]
