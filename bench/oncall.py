"""On-call data at the bench's scale, loaded once into the bench database by `bench.prepare`.

Four schedules with weekly rotations over the dataset's engineers (the security rota over the
Security team) and a few covers; a security policy and a P1 policy over them; 10,000 open pages
whose next escalation step is due (the engine tick's escalation load) and 20,000 resolved ones
from the last 30 days (the history My pages and the acknowledgement times read). Pages and their
recipients are bulk inserted; schedules, covers and shifts go through the services, as an admin's
edits would. Runs again are quick: only what is missing is added, and shifts are extended when
their horizon comes within five weeks.
"""

from __future__ import annotations

import itertools
import random
from datetime import time, timedelta

OPEN_PAGES = 10_000
RESOLVED_PAGES = 20_000
ROTA_SIZE = 8
COVERS_PER_SCHEDULE = 6
PREFIX = "Bench on-call"
# The last one is the security rota, over the security team's engineers.
SCHEDULES = ("Primary", "Secondary", "Platform", "Security")
BATCH = 2000


def _engineers():
    from helpdesk.models import Role, User

    rest = list(
        User.objects.filter(role=Role.ENGINEER, is_active=True)
        .exclude(teams__is_security=True)
        .order_by("pk")
    )
    security = list(
        User.objects.filter(role=Role.ENGINEER, is_active=True, teams__is_security=True)
        .distinct()
        .order_by("pk")
    )
    if len(rest) < 3 * ROTA_SIZE or len(security) < 2:
        raise SystemExit("bench: too few engineers in the dataset for the on-call rotas")
    rotas = [rest[i * ROTA_SIZE : (i + 1) * ROTA_SIZE] for i in range(3)]
    return [*rotas, security[:ROTA_SIZE]]


def _schedules(now):
    """The bench's schedules, created with their rotations and covers when missing, and their
    shifts extended when the horizon is near."""
    from escalation.models import Rotation, RotationMember, Schedule
    from escalation.services import override_create, schedule_materialise

    existing = {s.name: s for s in Schedule.objects.filter(name__startswith=PREFIX)}
    rotas = _engineers()
    monday = now.date() - timedelta(days=now.weekday() + 28)
    schedules = []
    for name, members in zip(SCHEDULES, rotas, strict=True):
        full = f"{PREFIX}: {name}"
        schedule = existing.get(full)
        if schedule is None:
            schedule = Schedule.objects.create(name=full, time_zone="Europe/Oslo")
            rotation = Rotation.objects.create(
                schedule=schedule,
                name="Weekly",
                layer=1,
                handoff_time=time(9),
                time_zone="Europe/Oslo",
                starts_on=monday,
            )
            RotationMember.objects.bulk_create(
                RotationMember(rotation=rotation, user=u, position=i) for i, u in enumerate(members)
            )
            schedule_materialise(schedule=schedule, now=now)
            _covers(schedule, members, now, override_create)
        elif schedule.materialised_until is None or schedule.materialised_until < now + timedelta(
            weeks=5
        ):
            schedule_materialise(schedule=schedule, now=now)
        schedules.append(schedule)
    return schedules


def _covers(schedule, members, now, override_create) -> None:
    """Evening covers over the coming weeks, arranged by a manager, as a calendar in use has."""
    from helpdesk.models import Role, User

    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    rng = random.Random(schedule.pk)
    for k in range(COVERS_PER_SCHEDULE):
        day = now.date() + timedelta(days=2 + 5 * k)
        starts = now.replace(
            year=day.year, month=day.month, day=day.day, hour=16, minute=0, second=0, microsecond=0
        )
        override_create(
            schedule=schedule,
            user=rng.choice(members),
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            actor=manager,
            now=now,
        )


def _policies(schedules):
    from escalation.models import EscalationLevel, EscalationPolicy
    from escalation.paging.policies import snapshot

    primary, secondary, _platform, security = schedules
    found = {}
    for name, position, match, levels in (
        ("security", 5, {"security_only": True}, (security, primary)),
        ("P1", 6, {"severity": 1}, (primary, secondary)),
    ):
        full = f"{PREFIX}: {name}"
        policy = EscalationPolicy.objects.filter(name=full).first()
        if policy is None:
            policy = EscalationPolicy.objects.create(
                name=full, position=position, repeat=1, **match
            )
            for i, schedule in enumerate(levels, start=1):
                EscalationLevel.objects.create(
                    policy=policy, position=i, wait_minutes=5, schedule=schedule
                )
        found[name] = (policy, snapshot(policy))
    return found


def _pages(policies, schedules, now) -> None:
    """Open pages due for their next step, and resolved ones of the last 30 days, each with the
    people its first level paged (the rota's members in turn)."""
    from escalation.models import OPEN_PAGE, Page, PageReason, PageRecipient, PageState
    from tickets.choices import OPEN_STATUSES
    from tickets.models import Ticket

    policy, levels = policies["P1"]
    bench = Page.objects.filter(policy__name__startswith=PREFIX)
    open_missing = OPEN_PAGES - bench.filter(OPEN_PAGE).count()
    resolved_missing = RESOLVED_PAGES - bench.filter(state=PageState.RESOLVED).count()
    if open_missing <= 0 and resolved_missing <= 0:
        return
    people = list(
        itertools.chain.from_iterable(
            s.rotations.first().members.order_by("position").values_list("user_id", flat=True)
            for s in schedules[:2]
        )
    )
    paged = Page.objects.filter(OPEN_PAGE).values("ticket_id")
    tickets = list(
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .exclude(pk__in=paged)
        .order_by("-id")
        .values_list("pk", "severity", "number", "title")[: max(0, open_missing)]
    )
    older = list(
        Ticket.objects.exclude(status__in=OPEN_STATUSES)
        .order_by("-id")
        .values_list("pk", "severity", "number", "title")[: max(0, resolved_missing)]
    )
    rng = random.Random(17)
    rows = []
    for i, (pk, severity, number, title) in enumerate(tickets):
        started = now - timedelta(minutes=5 + rng.randint(0, 120))
        rows.append(
            Page(
                ticket_id=pk,
                reason=PageReason.SEVERITY if severity == 1 else PageReason.MANUAL,
                summary=f"P{severity} SUP-{number}: {title}"[:300],
                policy=policy,
                levels=levels,
                repeat=policy.repeat,
                started_at=started,
                next_step_at=now - timedelta(seconds=1 + i % 600),
            )
        )
    for pk, severity, number, title in older:
        started = now - timedelta(minutes=rng.randint(60, 30 * 24 * 60))
        rows.append(
            Page(
                ticket_id=pk,
                reason=PageReason.SEVERITY if severity == 1 else PageReason.MANUAL,
                summary=f"P{severity} SUP-{number}: {title}"[:300],
                policy=policy,
                levels=levels,
                repeat=policy.repeat,
                state=PageState.RESOLVED,
                started_at=started,
                acknowledged_at=started + timedelta(seconds=rng.randint(20, 900)),
                acknowledged_via="web",
                resolved_at=started + timedelta(hours=1),
            )
        )
    pages = Page.objects.bulk_create(rows, batch_size=BATCH)
    recipients, resolved = [], []
    for i, page in enumerate(pages):
        user_id = people[i % len(people)]
        recipients.append(
            PageRecipient(page=page, user_id=user_id, level=0, round=0, notified_at=page.started_at)
        )
        if page.state == PageState.RESOLVED:
            page.acknowledged_by_id = page.resolved_by_id = user_id
            resolved.append(page)
    PageRecipient.objects.bulk_create(recipients, batch_size=BATCH)
    Page.objects.bulk_update(resolved, ["acknowledged_by", "resolved_by"], batch_size=BATCH)


def load(now) -> dict:
    """Loads what is missing and returns what the bench measures: the engineer with the most
    open pages (My pages) and the busiest schedule (its calendar page)."""
    from django.db import transaction
    from django.db.models import Count

    from escalation.models import OPEN_PAGE, Page, PageRecipient, PageState

    with transaction.atomic():
        schedules = _schedules(now)
        policies = _policies(schedules)
        _pages(policies, schedules, now)
    top = (
        PageRecipient.objects.filter(page__state__in=[PageState.TRIGGERED, PageState.ACKNOWLEDGED])
        .values("user")
        .annotate(n=Count("id"))
        .order_by("-n", "user")[:1]
    )
    schedule = max(schedules, key=lambda s: (s.overrides.count(), -s.pk))
    return {
        "engineer_id": top[0]["user"] if top else None,
        "engineer_open_pages": top[0]["n"] if top else 0,
        "schedule": schedule.pk,
        "schedule_name": schedule.name,
        "schedules": len(schedules),
        "open_pages": Page.objects.filter(OPEN_PAGE).count(),
        "due_pages": Page.objects.filter(state=PageState.TRIGGERED, next_step_at__lte=now).count(),
    }
