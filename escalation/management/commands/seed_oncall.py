"""Demo on-call schedules over the demo engineers (after `seed_demo`, which creates them)."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from escalation.management.commands._demo_engineering import load_engineering_demo
from escalation.models import (
    EscalationLevel,
    EscalationPolicy,
    PageReason,
    Rotation,
    RotationMember,
    Schedule,
)
from escalation.paging.services import page_start
from escalation.services import override_create, schedule_materialise
from helpdesk import clock
from helpdesk.models import User
from tickets.choices import OPEN_STATUSES
from tickets.models import Ticket
from tickets.sla.businesstime import local_to_utc

ZONE = "Europe/Oslo"
PRIMARY = ["nina.petrova", "engineer", "tomas.silva"]  # `engineer` holds this week
SECONDARY = ["tomas.silva", "nina.petrova", "engineer"]


class Command(BaseCommand):
    help = "Load a primary and a secondary on-call schedule over the demo engineers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when schedules already exist"
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and Schedule.objects.exists():
            self.stdout.write("Schedules already exist: no on-call demo loaded.")
            return
        people = {u.username: u for u in User.objects.filter(username__in=PRIMARY)}
        missing = sorted(set(PRIMARY) - set(people))
        if missing:
            raise CommandError(f"Run seed_demo first: missing {', '.join(missing)}.")
        now = clock.now()
        with transaction.atomic():
            schedules = self._load(people, now)
        with transaction.atomic():
            paged = self._paging(schedules, now)
        self.stdout.write(
            "On-call demo loaded: Primary and Secondary schedules, escalation policies for P1 and "
            f"security tickets{f', an open page on {paged}' if paged else ''}."
        )
        with transaction.atomic():
            self.stdout.write(load_engineering_demo(now))

    def _paging(self, schedules: tuple[Schedule, Schedule], now) -> str | None:
        """Policies for P1 and security tickets (primary, then secondary, then again once), and
        an unacknowledged page on the oldest open P1 so the on-call sees My pages at once."""
        primary, secondary = schedules
        for name, match in (
            ("P1 on-call", {"severity": 1}),
            ("Security on-call", {"security_only": True}),
        ):
            policy = EscalationPolicy.objects.create(
                name=name, position=10 if match.get("security_only") else 20, repeat=1, **match
            )
            EscalationLevel.objects.create(
                policy=policy, position=1, wait_minutes=5, schedule=primary
            )
            EscalationLevel.objects.create(
                policy=policy, position=2, wait_minutes=10, schedule=secondary
            )
        ticket = (
            Ticket.objects.filter(severity=1, is_security=False, status__in=OPEN_STATUSES)
            .order_by("created_at")
            .first()
        )
        if ticket is None:
            return None
        # The demo's stories may have paged it already (the engine ran while they were told),
        # before these policies existed: then the on-call is paged for it by hand.
        page = page_start(ticket=ticket, reason=PageReason.SEVERITY, actor=None, now=now)
        if page is None:
            page = page_start(ticket=ticket, reason=PageReason.MANUAL, actor=None, now=now)
        return ticket.key if page else None

    def _rotation(self, schedule, name, usernames, people, *, starts_on, layer=1, **fields):
        rotation = Rotation.objects.create(
            schedule=schedule,
            name=name,
            layer=layer,
            handoff_time=fields.pop("handoff_time", time(9)),
            time_zone=ZONE,
            starts_on=starts_on,
            **fields,
        )
        RotationMember.objects.bulk_create(
            RotationMember(rotation=rotation, user=people[u], position=i)
            for i, u in enumerate(usernames)
        )

    def _load(self, people, now) -> tuple[Schedule, Schedule]:
        today = now.astimezone(ZoneInfo(ZONE)).date()
        last_monday = today - timedelta(days=today.weekday() + 7)
        primary = Schedule.objects.create(
            name="Primary on-call",
            description="Engineering on-call for P1 and security pages (24/7, weekly handoff).",
            time_zone=ZONE,
        )
        self._rotation(primary, "Engineers weekly", PRIMARY, people, starts_on=last_monday)
        secondary = Schedule.objects.create(
            name="Secondary on-call",
            description="Backup when the primary does not acknowledge.",
            time_zone=ZONE,
        )
        self._rotation(secondary, "Engineers weekly", SECONDARY, people, starts_on=last_monday)
        # The secondary rota is agreed for four weeks: the calendar warns of the gap after it.
        Rotation.objects.filter(schedule=secondary, layer=1).update(
            ends_on=last_monday + timedelta(weeks=4)
        )
        for schedule in (primary, secondary):
            schedule_materialise(schedule=schedule, now=now)
        # Nina covers tomorrow evening and night for whoever is on the primary then.
        tomorrow = today + timedelta(days=1)
        starts = local_to_utc(tomorrow, time(17), ZoneInfo(ZONE))
        covered = primary.shifts.filter(starts_at__lte=starts, ends_at__gt=starts).first()
        override_create(
            schedule=primary,
            user=people["nina.petrova"],
            covers_for=covered.user if covered else None,
            starts_at=starts,
            ends_at=local_to_utc(tomorrow + timedelta(days=1), time(9), ZoneInfo(ZONE)),
            actor=people["nina.petrova"],
            now=now,
        )
        return primary, secondary
