"""P2 runs on the 24/7 calendar, like P1 (DESIGN.md section 5; seed 002: on-call is 24/7, and a
reply that promises an update "within 2 hours" must mean it on a Saturday).

Moves the installed default policy only while it is still on the calendar it was installed
with: a policy a manager has since put on another calendar is theirs. New P2 tickets get 24/7
at once; open ones keep the due times they were promised until the policy is re-applied to them
(a severity, channel or tier change).
"""

from django.db import migrations

POLICY = "P2 High"


def _move(apps, *, from_calendar: str, to_calendar: str) -> None:
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    target = BusinessCalendar.objects.filter(name=to_calendar).first()
    if target is None:
        return
    SlaPolicy.objects.filter(name=POLICY, calendar__name=from_calendar).update(calendar=target)


def forwards(apps, schema_editor):
    _move(apps, from_calendar="Weekdays 24x5", to_calendar="24/7")


def backwards(apps, schema_editor):
    _move(apps, from_calendar="24/7", to_calendar="Weekdays 24x5")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0015_slapolicy_credit_review")]

    operations = [migrations.RunPython(forwards, backwards)]
