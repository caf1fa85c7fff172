# Built concurrently: the outbox is a large, busy table, and its writers must not wait.

import django.db.models.fields.json
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("helpdesk", "0005_notification_kind_and_preferences"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="outboundmessage",
            index=models.Index(
                django.db.models.fields.json.KeyTransform("ticket_id", "payload"),
                condition=models.Q(("channel", "email")),
                name="outbound_email_ticket",
            ),
        ),
    ]
