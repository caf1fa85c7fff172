"""`manage.py seed_scale --tickets 1000000`: the benchmark dataset (DESIGN.md section 10).

Loads organisations of every tier (a few very big ones), their contacts, 300 agents in teams,
and N tickets over three years with their comments, timeline events and, for the open ones, SLA
targets that agree with tickets.sla.clocks. Everything goes in with COPY in one transaction:
either the whole dataset is there or none of it. Run it against a database of its own, never the
development or test database. A second run with a dataset already present does nothing.
"""

from __future__ import annotations

import gc
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from tqdm import tqdm

from helpdesk import clock
from helpdesk.models import User
from tickets.models import (
    AgentProfile,
    Comment,
    Contact,
    Organization,
    SlaTarget,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.sla import calendars, clocks

from ..scale import rows
from ..scale.pgcopy import Columns, SetAside, Spool, copy_rows
from ..scale.plan import Plan

MARKER = "scale-org-0000"
# The big tables lose their secondary indexes and constraints for the load; they are rebuilt
# from their own definitions afterwards (cheaper than maintaining them row by row).
SET_ASIDE = ("tickets_ticket", "tickets_comment", "tickets_ticketevent", "tickets_slatarget")
PASSWORD = "scale"  # every loaded user: the benchmarks log in as them
LOADED = (User, Organization, Contact, AgentProfile, Ticket, Comment, TicketEvent, SlaTarget)


class Command(BaseCommand):
    help = "Load a large benchmark dataset (default 1,000,000 tickets) with COPY."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=1_000_000,
            help="How many tickets (everything else scales with it).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed gives the same dataset."
        )

    def handle(self, *args, tickets: int, seed: int, verbosity: int = 1, **options):
        if tickets < 10:
            raise CommandError("--tickets must be at least 10.")
        if Organization.objects.filter(slug=MARKER).exists():
            present = Ticket.objects.count()
            if present >= tickets:
                self.stdout.write(f"The scale dataset is already loaded ({present:,} tickets).")
                return
            raise CommandError(
                f"A smaller scale dataset is loaded ({present:,} tickets). Load {tickets:,} "
                "into a fresh database."
            )
        self.verbosity = verbosity
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        started = time.monotonic()
        plan = self._plan(tickets, seed)
        # The plan lives as long as the load: keep the collector from walking it over and over.
        gc.collect()
        gc.freeze()
        self._say(
            f"Plan ready in {time.monotonic() - started:.1f} s: {tickets:,} tickets, "
            f"{len(plan.orgs):,} organizations, {len(plan.contacts):,} contacts, "
            f"{len(plan.agents):,} agents."
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            self._people(cursor, plan)
            # Check what is pending now: a table with pending checks cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            set_aside = [SetAside.read(cursor, table) for table in SET_ASIDE]
            for item in set_aside:
                item.drop(cursor)
            self._load(cursor, plan)
            t0 = time.monotonic()
            steps = sum(len(s.indexes) + len(s.constraints) for s in set_aside)
            with self._progress("indexes and constraints", steps, unit=" objects") as bar:
                for item in set_aside:
                    item.restore(cursor, step=lambda name: bar.update(1))
            self.timings["indexes and constraints"] = time.monotonic() - t0
            self._sequences(cursor)
        t0 = time.monotonic()
        self._settle()
        self.timings["vacuum and analyze"] = time.monotonic() - t0
        self._report(time.monotonic() - started, plan)

    def _load(self, cursor, plan: Plan) -> None:
        comment_base, event_base = plan.ids["comment"], plan.ids["event"]
        self._copy(
            cursor, "tickets", Ticket, rows.TICKET_FIELDS, rows.ticket_rows(plan), total=plan.n
        )
        # The timeline needs no text: another process writes it while this one writes the
        # comments (the database has a core to spare then), and it is copied afterwards.
        events = Spool(
            Columns.of(TicketEvent, rows.EVENT_FIELDS),
            lambda: rows.event_rows(plan, event_base, comment_base),
        )
        try:
            self._copy(
                cursor,
                "comments",
                Comment,
                rows.COMMENT_FIELDS,
                rows.comment_rows(plan, comment_base),
            )
            t0 = time.monotonic()
            with self._progress("events", None) as bar:
                self.counts["events"] = events.copy(cursor, progress=bar)
            self.timings["events"] = time.monotonic() - t0
        finally:
            events.discard()
        self._copy(
            cursor,
            "sla targets",
            SlaTarget,
            rows.TARGET_FIELDS,
            rows.target_rows(plan, plan.ids["target"]),
        )

    def _copy(self, cursor, label: str, model, fields, rows_, *, total: int | None = None):
        t0 = time.monotonic()
        with self._progress(label, total) as bar:
            self.counts[label] = copy_rows(cursor, Columns.of(model, fields), rows_, progress=bar)
        self.timings[label] = time.monotonic() - t0

    # -- steps ---------------------------------------------------------------------------------

    def _plan(self, tickets: int, seed: int) -> Plan:
        def next_id(model) -> int:
            return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

        with connection.cursor() as cursor:
            cursor.execute("SELECT last_value, is_called FROM tickets_ticket_number_seq")
            last_value, is_called = cursor.fetchone()
        highest = Ticket.objects.aggregate(m=Max("number"))["m"] or 0
        number_base = max(highest + 1, last_value + 1 if is_called else last_value)
        policies = clocks.active_policies()
        specs = {p.calendar_id: calendars.spec_for(p.calendar_id) for p in policies}
        teams = dict(Team.objects.values_list("name", "id"))
        ids = {
            "user": next_id(User),
            "organization": next_id(Organization),
            "contact": next_id(Contact),
            "profile": next_id(AgentProfile),
            "ticket": next_id(Ticket),
            "comment": next_id(Comment),
            "event": next_id(TicketEvent),
            "target": next_id(SlaTarget),
        }
        return Plan(
            tickets=tickets,
            seed=seed,
            now=clock.now(),
            ids=ids,
            number_base=number_base,
            policies=policies,
            specs=specs,
            teams=teams,
        )

    def _people(self, cursor, plan: Plan) -> None:
        counts = self.counts
        password = make_password(PASSWORD)
        counts["users"] = copy_rows(
            cursor, Columns.of(User, rows.USER_FIELDS), rows.user_rows(plan, password)
        )
        counts["organizations"] = copy_rows(
            cursor, Columns.of(Organization, rows.ORGANIZATION_FIELDS), rows.organization_rows(plan)
        )
        counts["contacts"] = copy_rows(
            cursor,
            Columns.of(Contact, rows.CONTACT_FIELDS),
            rows.contact_rows(plan, plan.ids["contact"]),
        )
        counts["agent profiles"] = copy_rows(
            cursor,
            Columns.of(AgentProfile, rows.AGENT_PROFILE_FIELDS),
            rows.agent_profile_rows(plan, plan.ids["profile"]),
        )
        taken = set(Team.objects.values_list("slug", flat=True))
        memberships = []
        for team in plan.teams:
            if team.id is None:
                slug = team.slug if team.slug not in taken else f"{team.slug}-scale"
                team.id = Team.objects.create(
                    name=team.name, slug=slug, is_security=team.is_security, lead_id=team.lead.id
                ).id
            memberships += [
                Team.members.through(team_id=team.id, user_id=p.id) for p in team.members
            ]
        Team.members.through.objects.bulk_create(memberships, ignore_conflicts=True)
        counts["team members"] = len(memberships)

    def _settle(self) -> None:
        """Leave the tables as they will be once autovacuum has been by, so the first benchmark
        after a load measures the steady state. Rows that arrive by COPY have no hint bits and
        no page is marked all-visible: the first reads set the hint bits (dirtying and writing
        back every page they touch), and an index-only scan (the queue's counts) visits the heap
        for each row until VACUUM sets the visibility map. FREEZE spares the anti-wraparound
        vacuum that would otherwise rewrite all of it later. Inside a caller's transaction (the
        tests) VACUUM cannot run: the statistics alone are gathered."""
        with connection.cursor() as cursor:
            for model in LOADED:
                table = model._meta.db_table
                if connection.in_atomic_block:
                    cursor.execute(f'ANALYZE "{table}"')
                else:
                    cursor.execute(f'VACUUM (FREEZE, ANALYZE) "{table}"')

    def _sequences(self, cursor) -> None:
        """Ids and ticket numbers go on after the loaded ones."""
        for model in LOADED:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        cursor.execute(
            "SELECT setval('tickets_ticket_number_seq', (SELECT max(number) FROM tickets_ticket))"
        )

    # -- output --------------------------------------------------------------------------------

    def _say(self, message: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(message)

    def _progress(self, label: str, total: int | None, unit: str = " rows"):
        return tqdm(
            total=total,
            desc=f"{label:>24}",
            unit=unit,
            unit_scale=True,
            disable=self.verbosity < 1,
            mininterval=1.0,
            dynamic_ncols=True,
        )

    def _report(self, elapsed: float, plan: Plan) -> None:
        for label, count in self.counts.items():
            self._say(f"  {label:<24} {count:>12,}")
        for label, seconds in self.timings.items():
            self._say(f"  {label + ' took':<24} {seconds:>10.1f} s")
        self._say(
            f"Loaded in {elapsed:.0f} s. The data's clock reads {plan.now:%Y-%m-%d %H:%M} "
            "UTC: SLA targets due at that instant are the engine's backlog."
        )
