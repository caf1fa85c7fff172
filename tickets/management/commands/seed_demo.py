"""Demo data: teams, agents, customers and a queue of API-platform tickets with real timelines.

Everything is written through tickets.services with backdated `now=`, so each ticket's timeline,
first response, SLA clocks and resolution times are what the product itself would have recorded.
Reproducible with --seed; safe to re-run (people and organizations are reused, tickets are added).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from string import Template
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from helpdesk import clock, engine
from helpdesk.models import User
from tickets import replies, services
from tickets.choices import Channel, Severity, Status, Tier
from tickets.models import Organization, ReplyTemplate, Team, Ticket

from ._demo_people import DEMO_PASSWORD, Cast, people
from ._demo_scenarios import (
    CUSTOMER_NUDGES,
    CUSTOMER_REOPEN,
    CUSTOMER_THANKS,
    DOCS,
    GENERIC_ANSWER,
    SCENARIOS,
    Scenario,
    bullets,
)
from ._demo_sla import install_seed_tables
from ._demo_sup456 import sup_456

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ORG_WEIGHT = {"acme": 5, Tier.ENTERPRISE: 3, Tier.BUSINESS: 3, Tier.FREE: 1}

S = Status
FINAL_STATUS_WEIGHTS = {
    S.NEW: 10,
    S.INVESTIGATING: 12,
    S.IN_PROGRESS: 16,
    S.WAITING_ON_CUSTOMER: 12,
    S.RESOLVED: 15,
    S.CLOSED: 35,
}
# How long ago tickets that ended in each status were opened, by severity.
AGE = {
    S.NEW: {
        1: (5 * MIN, 20 * MIN),
        2: (10 * MIN, 90 * MIN),
        3: (20 * MIN, 6 * HOUR),
        4: (30 * MIN, 30 * HOUR),
    },
    "open": {
        1: (30 * MIN, 5 * HOUR),
        2: (2 * HOUR, 36 * HOUR),
        3: (6 * HOUR, 6 * DAY),
        4: (1 * DAY, 12 * DAY),
    },
    S.RESOLVED: dict.fromkeys(Severity.values, (2 * HOUR, 10 * DAY)),
    S.CLOSED: dict.fromkeys(Severity.values, (2 * DAY, 60 * DAY)),
}
# The time scale of a ticket's conversation, and the playbook's customer-update cadence.
UNIT = {1: 5 * MIN, 2: 20 * MIN, 3: 90 * MIN, 4: 4 * HOUR}
CADENCE = {1: 30 * MIN, 2: 2 * HOUR, 3: DAY, 4: None}
CHANNEL_WEIGHTS = {
    Channel.EMAIL: 35,
    Channel.PORTAL: 30,
    Channel.CHAT: 12,
    Channel.API: 10,
    Channel.PHONE: 5,
    Channel.MONITORING: 30,
}
SIGN_OFF = "Best regards,\n{agent}\nSupport Engineering Team"


class Command(BaseCommand):
    help = (
        "Load demo data: teams, agents, customer organizations and contacts, the critical SSO "
        "ticket SUP-456 of the playbook, and --tickets more tickets with backdated timelines. "
        "Demo logins (password 'demo'): agent, engineer, manager, admin, customer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=240,
            help="how many tickets to add besides SUP-456 (default 240)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has tickets",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")

    def handle(self, *args, tickets: int, if_empty: bool, seed: int, **options):
        if tickets < 0:
            raise CommandError("--tickets must be zero or more.")
        if if_empty and Ticket.objects.exists():
            self.stdout.write("The database already has tickets: no demo data loaded.")
            return
        now = clock.now()
        rng = random.Random(seed)
        with transaction.atomic():
            cast = people()
            install_seed_tables()
        if not Ticket.objects.filter(number=456).exists():
            with transaction.atomic():
                sup_456(cast, now=now)
            self.stdout.write("Created SUP-456, the critical SSO ticket.")
        writer = _Writer(cast, rng=rng, now=now)
        for index in tqdm(
            range(tickets),
            desc="Demo tickets",
            unit="ticket",
            disable=options.get("verbosity", 1) < 1,
        ):
            with transaction.atomic():
                writer.ticket(index)
        self.stdout.write(self.style.SUCCESS(f"Added {tickets} demo tickets."))
        self.stdout.write(f"SLA engine: {self._catch_up(now)} due targets looked at.")
        self._print_logins(cast)

    def _catch_up(self, now: datetime) -> int:
        """Run the engine over the backdated stories, as if it had ticked all along: targets
        still running past their due time are breached (those answered late were breached by
        the answer itself), so the history and the "SLA breached" view are real."""
        handled = 0
        for _ in range(1000):  # bounded: each tick takes a batch
            done = engine.tick().get("sla") or 0
            handled += done
            if not done:
                break
        return handled

    def _print_logins(self, cast: Cast) -> None:
        self.stdout.write("\nDemo logins:")
        for username, what in [
            ("agent", "tier 1 support agent (Tier 1 Support)"),
            ("engineer", "tier 3 engineer (Engineering, Security)"),
            ("manager", "support manager"),
            ("admin", "administrator, Django admin at /admin/"),
            ("customer", "Dana Whitfield, contact at Acme Corp (enterprise): the portal"),
        ]:
            password = (
                DEMO_PASSWORD
                if username in cast.created_logins
                else "(existing account: password unchanged)"
            )
            self.stdout.write(f"  {username:<9} {password:<6}  {what}")


# ------------------------------------------------------------------------------------ tickets


def _sign(text: str, agent: User) -> str:
    return f"{text}\n\n{SIGN_OFF.format(agent=agent.display_name)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class _Ticket:
    """One ticket being written: its scenario, its people and the steps of its story."""

    scenario: Scenario
    vars: dict[str, str]
    requester: User | None
    owner: User  # the agent who works it
    triager: User
    team: Team
    steps: list[tuple[timedelta, Callable[[datetime], Any]]] = field(default_factory=list)
    # A last step at a fixed moment: the latest customer update of an open ticket.
    last: tuple[datetime, Callable[[datetime], Any]] | None = None
    pk: int | None = None

    def at(self, delay: timedelta, action: Callable[[datetime], Any]) -> None:
        self.steps.append((delay, action))

    def text(self, template: str) -> str:
        return Template(template).safe_substitute(self.vars)

    def fresh(self) -> Ticket:
        return Ticket.objects.select_related("organization", "requester").get(pk=self.pk)


class _Writer:
    def __init__(self, cast: Cast, *, rng: random.Random, now: datetime):
        self.cast, self.rng, self.now = cast, rng, now
        self.sla = next(m for m in engine.registered() if m.name == "sla")
        self.initial = ReplyTemplate.objects.filter(slug="initial-response", is_active=True).first()
        # Coverage first: the first tickets take every scenario once, alternating severities,
        # and every final status, so even a small load shows each kind of ticket.
        by_severity: dict[int, list[Scenario]] = {}
        for scenario in SCENARIOS:
            by_severity.setdefault(scenario.severity, []).append(scenario)
        self.coverage: list[Scenario] = []
        while any(by_severity.values()):
            for severity in sorted(by_severity):
                if by_severity[severity]:
                    self.coverage.append(by_severity[severity].pop(0))
        self.statuses = [
            S.NEW,
            S.INVESTIGATING,
            S.IN_PROGRESS,
            S.WAITING_ON_CUSTOMER,
            S.RESOLVED,
            S.CLOSED,
        ]

    # -- choosing ------------------------------------------------------------------------

    def _pick(self, weights: dict) -> Any:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def _organization(self, scenario: Scenario) -> Organization:
        orgs = self.cast.organizations
        weights = [ORG_WEIGHT["acme"] if o.slug == "acme" else ORG_WEIGHT[o.tier] for o in orgs]
        if scenario.severity == 1:  # outages are reported by the big accounts
            weights = [
                w * (3 if o.tier == Tier.ENTERPRISE else 1)
                for w, o in zip(weights, orgs, strict=True)
            ]
        return self.rng.choices(orgs, weights=weights)[0]

    def _channel(self, scenario: Scenario) -> str:
        weights = dict(CHANNEL_WEIGHTS)
        if scenario.issue_type != "incident" or scenario.security:
            weights.pop(Channel.MONITORING)  # only outages trip our own alerts
        if scenario.severity == 1:
            weights[Channel.PHONE] = 15
        else:
            weights.pop(Channel.PHONE)  # the phone line is for critical issues only (seed 002)
        return self._pick(weights)

    def _owner(self, scenario: Scenario) -> tuple[User, Team]:
        cast, teams = self.cast, self.cast.teams
        if scenario.security:
            return self.rng.choice(cast.team_members("security")), teams["security"]
        if scenario.severity == 1:
            if self.rng.random() < 0.5:
                return self.rng.choice(cast.team_members("engineering")), teams["engineering"]
            return self.rng.choice(cast.tier(2)), teams["tier-2-support"]
        if scenario.severity == 2:
            return self.rng.choice(cast.tier(2)), teams["tier-2-support"]
        return self.rng.choice(cast.tier(1)), teams["tier-1-support"]

    def _vars(self, organization: Organization, created: datetime) -> dict[str, str]:
        when = created - timedelta(minutes=self.rng.randint(5, 90))
        return {
            "when": when.strftime("%Y-%m-%d %H:%M UTC"),
            "hour": when.strftime("%H:00"),
            "request_id": "req_" + "".join(self.rng.choice("0123456789abcdef") for _ in range(20)),
            "org": organization.name,
            "domain": organization.domain or f"{organization.slug}.example",
            "sdk": self.rng.choice(["2.3.4", "2.4.0", "2.4.1"]),
        }

    # -- one ticket ----------------------------------------------------------------------

    def ticket(self, index: int) -> Ticket:
        rng = self.rng
        if index < len(self.coverage):
            scenario = self.coverage[index]
        else:
            scenario = rng.choices(SCENARIOS, weights=[s.weight for s in SCENARIOS])[0]
        final = (
            self.statuses[index] if index < len(self.statuses) else self._pick(FINAL_STATUS_WEIGHTS)
        )
        if scenario.security and final == S.WAITING_ON_CUSTOMER:
            final = S.IN_PROGRESS  # never ask for security details by email (playbook)
        ages = (
            AGE["open"]
            if final in (S.INVESTIGATING, S.IN_PROGRESS, S.WAITING_ON_CUSTOMER)
            else AGE[final]
        )
        low, high = ages[scenario.severity]
        created = self.now - timedelta(
            seconds=rng.uniform(low.total_seconds(), high.total_seconds())
        )

        organization = self._organization(scenario)
        channel = self._channel(scenario)
        contacts = self.cast.contacts[organization.pk]
        if channel == Channel.MONITORING or not contacts:
            requester = None
        elif organization == self.cast.acme and rng.random() < 0.6:
            requester = self.cast.customer
        else:
            requester = rng.choice(contacts)
        owner, team = self._owner(scenario)
        triager = rng.choice([*self.cast.tier(1), self.cast.staff["manager"]])
        story = _Ticket(
            scenario=scenario,
            vars=self._vars(organization, created),
            requester=requester,
            owner=owner,
            triager=triager,
            team=team,
        )

        if channel == Channel.MONITORING:
            opener = self.cast.staff["nina.petrova"]
        elif channel in (Channel.PHONE, Channel.CHAT):
            opener = triager
        else:
            opener = requester
        fields = self._fields(story, scenario, channel)
        ticket = services.ticket_create(
            actor=opener, organization=organization, requester=requester, now=created, **fields
        )
        story.pk = ticket.pk
        self._plan(story, final)
        self._run(story, start=created)
        return ticket

    def _fields(self, story: _Ticket, scenario: Scenario, channel: str) -> dict[str, Any]:
        rng = self.rng
        fields: dict[str, Any] = {
            "title": story.text(scenario.title)[:200],
            "description": story.text(scenario.description),
            "issue_type": scenario.issue_type,
            "severity": scenario.severity,
            "category": scenario.category,
            "environment": scenario.environment,
            "channel": channel,
            "error_message": story.text(scenario.error),
            "affected_endpoint": scenario.endpoint,
            "platform": scenario.platform,
            "product_version": story.text(scenario.version),
            "browser": scenario.browser,
            "business_impact": scenario.impact,
        }
        if "$request_id" in scenario.description or rng.random() < 0.3:
            fields["request_id"] = story.vars["request_id"]
        if scenario.severity <= 2:
            fields["affected_users"] = rng.choice([5, 12, 40, 120, 300, 1500])
        return fields

    # -- the story -----------------------------------------------------------------------

    def _plan(self, story: _Ticket, final: str) -> None:
        rng, sc = self.rng, story.scenario
        unit = UNIT[sc.severity]

        def u(low: float, high: float) -> timedelta:
            return unit * rng.uniform(low, high)

        owner, requester = story.owner, story.requester
        tags = list(sc.tags)
        if sc.security and "security" not in tags:
            tags.append("security")

        if final == S.NEW:
            if rng.random() < 0.5:
                story.at(
                    u(0.2, 0.6),
                    self._update(story, story.triager, {"team": story.team, "tags": tags}),
                )
            if requester and rng.random() < 0.3:
                story.at(u(1, 3), self._say(story, requester, rng.choice(CUSTOMER_NUDGES)))
            return

        triage = {"assignee": owner, "team": story.team, "tags": tags}
        if sc.security:
            triage["is_security"] = True
        story.at(u(0.2, 0.8), self._update(story, story.triager, triage))
        story.at(u(0.1, 0.4), self._move(story, owner, S.INVESTIGATING))

        quick = sc.close_as in ("answer", "feature")
        if quick and final in (S.RESOLVED, S.CLOSED):
            self._answer(story, final, u)
            return
        story.at(u(0.5, 1.5), self._say(story, owner, self._initial_response))
        if final == S.INVESTIGATING:
            if rng.random() < 0.6:
                story.at(u(0.5, 2), self._note(story, owner, story.text(sc.note)))
            if requester and rng.random() < 0.2:
                story.at(u(2, 5), self._say(story, requester, rng.choice(CUSTOMER_NUDGES)))
            self._keep_current(story, owner)
            return

        story.at(u(1, 3), self._note(story, owner, story.text(sc.note)))
        asks = (
            bool(requester)
            and not sc.security
            and (final == S.WAITING_ON_CUSTOMER or rng.random() < 0.35)
        )
        if asks:
            story.at(u(0.5, 1.5), self._ask_and_wait(story, owner, self._ask(story)))
            if final == S.WAITING_ON_CUSTOMER:
                return
            answer = story.text(sc.answer or GENERIC_ANSWER)
            story.at(u(2, 8), self._say(story, requester, answer))  # hands it back: in progress
        else:
            story.at(u(0.5, 2), self._move(story, owner, S.IN_PROGRESS))

        if sc.severity <= 2 and rng.random() < 0.4 and not sc.security:
            engineer = rng.choice(self.cast.team_members("engineering"))
            story.at(u(0.5, 1), self._note(story, owner, self._handoff(story)))
            story.at(
                u(0.1, 0.3),
                self._update(
                    story, owner, {"team": self.cast.teams["engineering"], "assignee": engineer}
                ),
            )
            owner = engineer
        if sc.workaround and rng.random() < 0.7:
            story.at(
                u(0.5, 1),
                self._update(
                    story, owner, {"workaround_available": True, "workaround": sc.workaround}
                ),
            )

        cadence = CADENCE[sc.severity]
        updates = {1: rng.randint(1, 3), 2: rng.randint(0, 2), 3: rng.randint(0, 1), 4: 0}
        for number in range(updates[sc.severity] if sc.known[0] else 0):
            gap = cadence * rng.uniform(0.6, 0.95) if cadence else u(3, 6)
            story.at(gap, self._say(story, owner, self._status_update(story, number)))
        if final == S.IN_PROGRESS:
            self._keep_current(story, owner)
            return

        story.at(u(1, 4), self._say(story, owner, self._resolution(story)))
        story.at(u(0.05, 0.2), self._move(story, owner, S.RESOLVED))
        if requester and rng.random() < 0.12:
            story.at(u(3, 12), self._say(story, requester, story.text(rng.choice(CUSTOMER_REOPEN))))
            story.at(u(0.01, 0.05), self._move(story, requester, S.INVESTIGATING))
            reopened = (
                f"Hi {requester.display_name},\n\nThank you for letting us know. We've "
                "reopened the ticket and are looking at the new occurrence now."
            )
            story.at(u(0.5, 1.5), self._say(story, owner, _sign(reopened, owner)))
            story.at(u(0.5, 1), self._move(story, owner, S.IN_PROGRESS))
            story.at(u(2, 5), self._say(story, owner, self._resolution(story, again=True)))
            story.at(u(0.05, 0.2), self._move(story, owner, S.RESOLVED))
        if final == S.RESOLVED:
            return
        self._close(story, owner)

    def _answer(self, story: _Ticket, final: str, u) -> None:
        """Questions and feature requests: answered in one reply."""
        sc, owner = story.scenario, story.owner
        if sc.close_as == "feature":
            body = (
                f"Hi {self._name(story)},\n\nThank you for the suggestion: it makes sense for "
                "workloads like yours. We've logged it as a feature request with our product "
                "team, with your use case and the volume you described. We can't promise a date, "
                "but we'll let you know if it's scheduled. We're closing the ticket for now; if "
                "you have more details, open a new ticket that mentions this one."
            )
            story.at(u(1, 3), self._note(story, owner, story.text(sc.note)))
            story.at(u(0.2, 0.5), self._say(story, owner, _sign(body, owner)))
            story.at(u(0.05, 0.2), self._move(story, owner, S.CLOSED))
            return
        body = f"Hi {self._name(story)},\n\nGood question. {story.text(sc.fix)}"
        story.at(
            u(1, 3),
            self._say(
                story,
                owner,
                _sign(
                    body
                    + "\n\nLet us know if anything is unclear; otherwise please confirm so we can "
                    "close the ticket.",
                    owner,
                ),
            ),
        )
        story.at(u(0.05, 0.2), self._move(story, owner, S.RESOLVED))
        if final == S.CLOSED:
            self._close(story, owner)

    def _close(self, story: _Ticket, owner: User) -> None:
        rng, requester = self.rng, story.requester
        if requester and rng.random() < 0.65:
            delay = timedelta(hours=rng.uniform(0.5, 30))
            story.at(delay, self._say(story, requester, rng.choice(CUSTOMER_THANKS)))
            story.at(timedelta(minutes=rng.uniform(0.2, 2)), self._move(story, requester, S.CLOSED))
            return
        body = (
            f"Hi {self._name(story)},\n\nWe haven't heard back since the resolution, so we're "
            "closing this ticket. If the problem comes back, open a new ticket and mention this "
            "one so we have the history."
        )
        story.at(timedelta(days=rng.uniform(3, 7)), self._say(story, owner, _sign(body, owner)))
        story.at(timedelta(minutes=rng.uniform(0.2, 2)), self._move(story, owner, S.CLOSED))

    def _keep_current(self, story: _Ticket, owner: User) -> None:
        """Most open tickets had a customer update within their cadence; some are overdue, as in
        any real queue."""
        cadence = CADENCE[story.scenario.severity]
        if cadence and self.rng.random() < 0.75:
            when = self.now - cadence * self.rng.uniform(0.1, 0.7)
            story.last = (when, self._say(story, owner, self._checkin))

    def _run(self, story: _Ticket, *, start: datetime) -> None:
        """Play the steps, compressed when the story would not fit between creation and now
        (or before its fixed last step)."""
        last = story.last if story.last and story.last[0] > start else None
        limit = last[0] if last else self.now
        total = sum((delay for delay, _ in story.steps), timedelta(0))
        room = (limit - start) * 0.95
        scale = min(1.0, room / total) if total else 1.0
        moment = start
        for delay, action in story.steps:
            moment += delay * scale
            self._tick(moment)
            action(moment)
        if last:
            self._tick(last[0])
            last[1](last[0])

    def _tick(self, moment: datetime) -> None:
        """The SLA engine as it would have ticked just before `moment`: warnings and breaches
        of the stories written so far land at the time they happened."""
        engine.run_module(self.sla, moment)

    # -- actions -------------------------------------------------------------------------

    def _update(self, story: _Ticket, actor: User, changes: dict) -> Callable[[datetime], Any]:
        return lambda now: services.ticket_update(
            ticket=Ticket(pk=story.pk), actor=actor, changes=changes, now=now
        )

    def _move(self, story: _Ticket, actor: User, to: str) -> Callable[[datetime], Any]:
        return lambda now: services.ticket_transition(
            ticket=Ticket(pk=story.pk), to=to, actor=actor, now=now
        )

    def _ask_and_wait(self, story: _Ticket, agent: User, question: str) -> Callable:
        """The question and the move to waiting on the customer, in one action."""
        return lambda now: services.ticket_transition(
            ticket=Ticket(pk=story.pk),
            to=S.WAITING_ON_CUSTOMER,
            actor=agent,
            message=question,
            now=now,
        )

    def _say(self, story: _Ticket, author: User, body) -> Callable[[datetime], Any]:
        """A public reply; `body` may be a function of the ticket (rendered when sent)."""
        return lambda now: services.comment_add(
            ticket=Ticket(pk=story.pk),
            author=author,
            now=now,
            body=body(story, author) if callable(body) else body,
        )

    def _note(self, story: _Ticket, author: User, body: str) -> Callable[[datetime], Any]:
        return lambda now: services.comment_add(
            ticket=Ticket(pk=story.pk), author=author, body=body, is_internal=True, now=now
        )

    # -- what people write ---------------------------------------------------------------

    def _name(self, story: _Ticket) -> str:
        if story.requester:
            return story.requester.display_name
        return f"{story.vars['org']} team"

    def _initial_response(self, story: _Ticket, agent: User) -> str:
        ticket = story.fresh()
        if self.initial is not None:
            return replies.render_reply(self.initial, ticket=ticket, agent=agent)
        context = replies.template_context(ticket=ticket, agent=agent)
        return _sign(
            f"Hi {context['customer_name']},\n\nThank you for reporting this issue. We've "
            f"received your report and are investigating immediately.\n\n"
            f"**Ticket**: {context['ticket_key']}\n**Issue**: {context['ticket_title']}\n"
            f"**Status**: {context['status']}\n**Severity**: {context['severity']}\n"
            f"**Expected update**: {context['next_update']}",
            agent,
        )

    def _ask(self, story: _Ticket) -> str:
        sc = story.scenario
        if sc.ask:
            body = f"Hi {self._name(story)},\n\nTo narrow this down: {sc.ask}"
        else:
            body = (
                f"Hi {self._name(story)},\n\nThank you for reporting this issue. To investigate "
                "further, we need:\n\n"
                "1. **Timestamp**: Exact date/time of the error (with timezone)\n"
                "2. **Request ID**: From the `X-Request-Id` response header if available\n"
                "3. **Error Response**: Complete error response body\n"
                "4. **Request Details**: Endpoint, method, and sanitized request body\n"
                "5. **Reproducibility**: Is this consistent or intermittent?"
            )
        return _sign(body, story.owner)

    def _status_update(self, story: _Ticket, number: int) -> Callable[[_Ticket, User], str]:
        sc = story.scenario

        def render(story: _Ticket, agent: User) -> str:
            context = replies.template_context(ticket=story.fresh(), agent=agent)
            steps = [
                "Confirm the fix in staging - ETA 1 hour"
                if number == 0
                else "Deploy the fix to production - ETA 1 hour",
                "Verify with your traffic - ETA 2 hours",
            ]
            workaround = story.text(sc.workaround) or "None yet; we'll share one as soon as we can."
            return _sign(
                f"Hi {context['customer_name']},\n\nHere is the latest on "
                f"{context['ticket_key']}: {context['ticket_title']}\n\n"
                f"**Current status**: {context['status'].upper()}\n\n"
                f"**What we know**\n{bullets(story.text(k) for k in sc.known)}\n\n"
                f"**What we're doing**\n{bullets(sc.doing)}\n\n"
                f"**Next steps**\n{bullets(steps)}\n\n"
                f"**Workaround**\n{workaround}\n\n"
                f"**Expected resolution**: within {2 + number * 2} hours\n\n"
                f"**Next update**: {context['next_update']}",
                agent,
            )

        return render

    def _checkin(self, story: _Ticket, agent: User) -> str:
        sc = story.scenario
        if sc.known[0]:
            return self._status_update(story, 1)(story, agent)
        context = replies.template_context(ticket=story.fresh(), agent=agent)
        return _sign(
            f"Hi {context['customer_name']},\n\nA quick update on {context['ticket_key']}: we're "
            "still working on your request and have nothing new to report yet.\n\n"
            f"**Next update**: {context['next_update']}",
            agent,
        )

    def _handoff(self, story: _Ticket) -> str:
        sc, v = story.scenario, story.vars
        return (
            "**Escalation to engineering**\n\n"
            f"1. Ticket: this one ({sc.title and story.text(sc.title)})\n"
            f"2. Customer: {v['org']}\n"
            "3. Reproduction: see the investigation note above\n"
            f"4. Error: {story.text(sc.error) or 'see the description'}\n"
            f"5. Timestamps: first seen {v['when']}, request `{v['request_id']}`\n"
            "6. Affected customers: 1 so far\n"
            f"7. Impact: P{sc.severity} {Severity(sc.severity).label}\n"
            "8. Tried: checked service health, recent deployments and the logs"
        )

    def _resolution(self, story: _Ticket, *, again: bool = False) -> Callable[[_Ticket, User], str]:
        sc = story.scenario

        def render(story: _Ticket, agent: User) -> str:
            context = replies.template_context(ticket=story.fresh(), agent=agent)
            hello = f"Hi {context['customer_name']},\n\n"
            key = context["ticket_key"]
            if again and sc.close_as != "fix":
                body = (
                    f"{hello}We looked at the new occurrence: it has the same cause as before. "
                    f"{_capital(story.text(sc.cause).rstrip('.'))}. Once that is changed it "
                    "won't come "
                    f"back; if it does, reply on {key} with the request ID and we'll dig deeper."
                )
            elif sc.close_as == "configuration":
                body = (
                    f"{hello}This appears to be a configuration issue rather than a platform "
                    f"bug. {story.text(sc.cause)}. {sc.fix}; our documentation at "
                    f"{DOCS}/guides/troubleshooting explains the settings. Please try again.\n\n"
                    "If you continue to experience issues after making these changes, please "
                    f"open a new ticket that mentions {key}, with the updated request details."
                )
            elif sc.close_as == "expected":
                body = (
                    f"{hello}This is expected behavior based on our API design. "
                    f"{story.text(sc.cause)}. {sc.fix + '. ' if sc.fix else ''}Our documentation "
                    f"at {DOCS}/reference/errors explains this behavior in detail.\n\n"
                    "If you have concerns about this design decision, please let us know and we "
                    "can discuss alternatives or raise it as a feature request."
                )
            elif sc.close_as == "known_issue":
                body = (
                    f"{hello}This is a known issue with {story.text(sc.cause)}. The recommended "
                    f"workaround is {sc.fix}.\n\nWe're tracking this issue and will update you "
                    "when a fix is available. For reference, this is documented in our internal "
                    "known issues database."
                )
            else:
                body = (
                    f"{hello}{key} is now **RESOLVED**"
                    + (" (again, and for good this time)" if again else "")
                    + f".\n\n**What was wrong**\n{story.text(sc.cause)}\n\n"
                    f"**What we fixed**\n{sc.fix}\n\n"
                    f"**What you need to do**\n{sc.todo}\n\n"
                    f"**Prevention**\n{sc.prevention}\n\n"
                    "If you continue to experience issues, please let us know immediately; "
                    "otherwise please confirm the resolution so we can close the ticket."
                )
            return _sign(body, agent)

        return render
