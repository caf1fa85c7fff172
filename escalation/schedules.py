"""Reading a schedule's rules out of the database into the pure arithmetic's terms."""

from __future__ import annotations

from datetime import datetime

from escalation.models import Override, Rotation, Schedule
from escalation.rotation import OverrideRule, RotationRule

# Shifts are materialised this far ahead; the engine extends them a week before they run out.
HORIZON_WEEKS = 6


def rotation_rules(schedule: Schedule) -> list[RotationRule]:
    rotations = Rotation.objects.filter(schedule=schedule).prefetch_related("members")
    return [
        RotationRule(
            key=r.pk,
            layer=r.layer,
            length=r.length,
            handoff_time=r.handoff_time,
            time_zone=r.time_zone,
            starts_on=r.starts_on,
            members=tuple(m.user_id for m in r.members.all()),
            handoff_weekday=r.handoff_weekday,
            shift_hours=r.shift_hours,
            ends_on=r.ends_on,
        )
        for r in rotations
    ]


def override_rules(schedule: Schedule, start: datetime, end: datetime) -> list[OverrideRule]:
    overrides = Override.objects.filter(schedule=schedule, ends_at__gt=start, starts_at__lt=end)
    return [
        OverrideRule(key=o.pk, user=o.user_id, starts_at=o.starts_at, ends_at=o.ends_at)
        for o in overrides
    ]
