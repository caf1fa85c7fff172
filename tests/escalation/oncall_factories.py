"""Schedules set up through the real services and models, for the on-call tests."""

from __future__ import annotations

from datetime import date, datetime, time

from escalation.models import Rotation, RotationMember, Schedule
from escalation.services import schedule_materialise


def make_schedule(
    *,
    members,
    now: datetime,
    name: str = "Primary",
    tz: str = "Europe/Oslo",
    length: str = "weekly",
    handoff: time = time(9),
    starts_on: date = date(2026, 3, 2),
    layer: int = 1,
    schedule: Schedule | None = None,
    **rotation_fields,
) -> Schedule:
    schedule = schedule or Schedule.objects.create(name=name, time_zone=tz)
    rotation = Rotation.objects.create(
        schedule=schedule,
        name=f"{name} layer {layer}",
        layer=layer,
        length=length,
        handoff_time=handoff,
        time_zone=tz,
        starts_on=starts_on,
        **rotation_fields,
    )
    for position, user in enumerate(members):
        RotationMember.objects.create(rotation=rotation, user=user, position=position)
    schedule_materialise(schedule=schedule, now=now)
    schedule.refresh_from_db()
    return schedule
