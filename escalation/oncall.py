"""Who is on call: the public read that escalation policies and pages call.

Reads the materialised shifts inside the horizon and falls back to the rules beyond it, so the
answer is the same either way.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model

from escalation import rotation
from escalation.models import Schedule, Shift
from escalation.schedules import override_rules, rotation_rules

User = get_user_model()


def _materialised(schedule: Schedule, at: datetime) -> bool:
    return schedule.materialised_until is not None and at < schedule.materialised_until


def oncall_at(schedule: Schedule, at: datetime) -> list[User]:
    """The people on call for `schedule` at the instant `at`, after layers and overrides.

    An empty list is a gap in coverage. Today a schedule has at most one person on call at a
    time; callers must not rely on that.
    """
    if _materialised(schedule, at):
        shift = (
            Shift.objects.select_related("user")
            .filter(schedule=schedule, starts_at__lte=at, ends_at__gt=at)
            .first()
        )
        if shift is not None:
            return [shift.user] if shift.user_id else []
    window = rotation.LONGEST_SHIFT
    segment = rotation.on_call_at(
        rotation_rules(schedule), override_rules(schedule, at - window, at + window), at
    )
    return list(User.objects.filter(pk=segment.user)) if segment.user else []


def next_shift(schedule: Schedule, at: datetime) -> Shift | None:
    """The next change of hands after `at`: a Shift whose `user` takes over at `starts_at`
    (None when nobody does: a gap starts). Beyond the horizon the Shift is computed, not saved;
    None when nothing changes within the next two weeks."""
    if _materialised(schedule, at):
        found = (
            Shift.objects.select_related("user")
            .filter(schedule=schedule, starts_at__gt=at)
            .order_by("starts_at")
            .first()
        )
        if found is not None:
            return found
    end = at + rotation.LONGEST_SHIFT
    segments = rotation.resolve(
        rotation_rules(schedule), override_rules(schedule, at, end), at, end
    )
    if len(segments) < 2:
        return None
    nxt = segments[1]
    return Shift(
        schedule=schedule,
        user=User.objects.filter(pk=nxt.user).first() if nxt.user else None,
        starts_at=nxt.starts_at,
        ends_at=nxt.ends_at,
        rotation_id=nxt.rotation,
        override_id=nxt.override,
    )
