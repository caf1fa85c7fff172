"""The playbook's SLA targets (seed 003; DESIGN.md section 5) as the default policies.

P1 runs on a 24/7 calendar. P2-P4 run on "Weekdays 24x5": the playbook's hours stay literal
(72 h is three weekdays, "daily" is one) while weekends do not count. Managers edit or add
policies (per tier, per channel) in the admin.
"""

from datetime import time, timedelta

from django.db import migrations

H = timedelta(hours=1)
M = timedelta(minutes=1)

POLICIES = [
    # name, severity, calendar, first response, update, resolution
    ("P1 Critical", 1, "24/7", 15 * M, 30 * M, 4 * H),
    ("P2 High", 2, "Weekdays 24x5", 1 * H, 2 * H, 8 * H),
    ("P3 Medium", 3, "Weekdays 24x5", 4 * H, 24 * H, 72 * H),
    ("P4 Low", 4, "Weekdays 24x5", 24 * H, None, 7 * 24 * H),
]


def install(apps, schema_editor):
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    CalendarPeriod = apps.get_model("tickets", "CalendarPeriod")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    calendars = {}
    for name, days in (("24/7", range(7)), ("Weekdays 24x5", range(5))):
        calendar, created = BusinessCalendar.objects.get_or_create(name=name, defaults={"timezone": "UTC"})
        if created:
            for day in days:
                CalendarPeriod.objects.create(calendar=calendar, weekday=day, opens=time(0), closes=None)
        calendars[name] = calendar
    for position, (name, severity, calendar, first, update, resolution) in enumerate(POLICIES, 1):
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "position": position * 10, "severity": severity, "calendar": calendars[calendar],
                "first_response": first, "update_interval": update, "resolution": resolution,
            },
        )


def uninstall(apps, schema_editor):
    apps.get_model("tickets", "SlaPolicy").objects.filter(name__in=[p[0] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_sla")]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunSQL(
            """
            CREATE TRIGGER tickets_slaevent_no_update
            BEFORE UPDATE ON tickets_slaevent
            FOR EACH ROW EXECUTE FUNCTION tickets_event_append_only();
            """,
            "DROP TRIGGER tickets_slaevent_no_update ON tickets_slaevent;",
        ),
    ]
