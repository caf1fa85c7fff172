"""Writes to on-call schedules. Every change of rules re-materialises the shifts in the same
transaction, so the calendar, the feeds and `oncall_at` never read stale shifts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from escalation import rotation
from escalation.models import HandoffNote, OnCallFeed, Override, Schedule, Shift
from escalation.models.schedules import new_feed_token
from escalation.schedules import HORIZON_WEEKS, override_rules, rotation_rules
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import Role, User

MANAGING_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
LONGEST_OVERRIDE = timedelta(days=31)


def can_manage(user: User) -> bool:
    return user.is_superuser or user.role in MANAGING_ROLES


def _rows(schedule: Schedule, segments: list[rotation.Segment], **extra) -> list[Shift]:
    return [
        Shift(
            schedule=schedule,
            user_id=s.user,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            rotation_id=s.rotation,
            override_id=s.override,
            **extra,
        )
        for s in segments
    ]


@transaction.atomic
def schedule_materialise(*, schedule: Schedule, now: datetime) -> int:
    """Recompute the schedule's shifts from `now` to the horizon from its rules.

    Past shifts are history and stay. The shift in progress stays as it is when the same person
    is still on call; when someone else is now, it ends at `now` and the new one starts at `now`
    with its handoff due. Returns how many future shift rows were written.
    """
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    horizon = now + timedelta(weeks=HORIZON_WEEKS)
    since = now - rotation.LONGEST_SHIFT
    segments = rotation.resolve(
        rotation_rules(schedule), override_rules(schedule, since, horizon), since, horizon
    )
    segments = [s for s in segments if s.ends_at > now]
    current, future = segments[0], segments[1:]

    Shift.objects.filter(schedule=schedule, starts_at__gt=now).delete()
    stored = Shift.objects.filter(schedule=schedule, starts_at__lte=now, ends_at__gt=now).first()
    new_rows = _rows(schedule, future)
    if stored and (stored.user_id, stored.override_id) == (current.user, current.override):
        stored.ends_at, stored.rotation_id = current.ends_at, current.rotation
        stored.save(update_fields=["ends_at", "rotation"])
    else:
        first = rotation.Segment(
            now, current.ends_at, current.user, current.rotation, current.override
        )
        if stored is None:
            # The first materialisation: nobody hands over to the shift already running.
            new_rows.insert(0, _rows(schedule, [current], handed_off_at=now)[0])
        else:
            if stored.starts_at == now:
                stored.delete()
            else:
                stored.ends_at = now
                stored.save(update_fields=["ends_at"])
            new_rows.insert(0, _rows(schedule, [first])[0])
    Shift.objects.bulk_create(new_rows)
    schedule.materialised_until = horizon
    schedule.save(update_fields=["materialised_until"])
    return len(new_rows)


def _may_override(actor: User, schedule: Schedule, covering: User, covered: User | None) -> bool:
    if can_manage(actor):
        return True
    # The people involved arrange swaps themselves: taking over someone's shift, or handing
    # one's own shift to a colleague.
    return actor.pk in {covering.pk, covered.pk if covered else None}


@transaction.atomic
def override_create(
    *,
    schedule: Schedule,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    actor: User,
    now: datetime,
    covers_for: User | None = None,
) -> Override:
    """`user` is on call for `schedule` over [starts_at, ends_at), above every layer."""
    if not user.is_agent_side or not user.is_active:
        raise DomainError("Only an active agent-side user can be on call.", field="user")
    if ends_at <= starts_at:
        raise DomainError("The override must end after it starts.", field="ends_at")
    if ends_at <= now:
        raise DomainError("The override is entirely in the past.", field="ends_at")
    if ends_at - starts_at > LONGEST_OVERRIDE:
        raise DomainError("An override covers at most 31 days.", field="ends_at")
    if not _may_override(actor, schedule, user, covers_for):
        raise Forbidden("Only managers and the people on the shift can arrange its cover.")
    override = Override.objects.create(
        schedule=schedule,
        user=user,
        covers_for=covers_for,
        starts_at=max(starts_at, now),
        ends_at=ends_at,
        created_by=actor,
        created_at=now,
    )
    schedule_materialise(schedule=schedule, now=now)
    return override


@transaction.atomic
def override_delete(*, override: Override, actor: User, now: datetime) -> None:
    covered = override.covers_for
    if not _may_override(actor, override.schedule, override.user, covered):
        raise Forbidden("Only managers and the people on the shift can remove its cover.")
    schedule = override.schedule
    if override.starts_at < now:
        # What already happened stays as it happened: cut the cover short instead.
        if override.ends_at > now:
            override.ends_at = now
            override.save(update_fields=["ends_at"])
    else:
        override.delete()
    schedule_materialise(schedule=schedule, now=now)


@transaction.atomic
def handoff_note_add(*, schedule: Schedule, author: User, body: str, now: datetime) -> HandoffNote:
    body = body.strip()
    if not body:
        raise DomainError("Write something for the next person on call.", field="body")
    if len(body) > 4000:
        raise DomainError("A handoff note has at most 4000 characters.", field="body")
    return HandoffNote.objects.create(schedule=schedule, author=author, body=body, created_at=now)


@transaction.atomic
def schedule_feed_rotate(*, schedule: Schedule, actor: User) -> Schedule:
    """A new secret for the schedule's iCal feed; the old URL stops working at once."""
    if not can_manage(actor):
        raise Forbidden("Only managers change a schedule's feed.")
    schedule.feed_token = new_feed_token()
    schedule.save(update_fields=["feed_token"])
    return schedule


@transaction.atomic
def personal_feed_rotate(*, user: User) -> OnCallFeed:
    feed, created = OnCallFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
