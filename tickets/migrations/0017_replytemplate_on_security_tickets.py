"""Reply templates say whether they are offered on security tickets. The information request
asks the customer for request details, which the playbook forbids for security reports (no
details over unencrypted channels), so it is not."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    ReplyTemplate = apps.get_model("tickets", "ReplyTemplate")
    ReplyTemplate.objects.filter(slug="information-request").update(on_security_tickets=False)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0016_p2_on_24_7")]

    operations = [
        migrations.AddField(
            model_name="replytemplate",
            name="on_security_tickets",
            field=models.BooleanField(
                default=True,
                help_text="Offer it on security tickets. The playbook asks for no details over "
                "unencrypted channels, so a template that asks the customer for details is not.",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
