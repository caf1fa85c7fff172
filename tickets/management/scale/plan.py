"""What the scale dataset contains: organisations, people, teams and every ticket's history.

Ticket histories come from one random stream that every table's pass replays from the start
(`Plan.tickets()`), so the tickets, comments and events agree without keeping a million
histories in memory. Open tickets are the exception: their histories are built backwards from
the load's clock so that their SLA clocks come out right (paused, running, or due right now),
each from its own stream, and kept after the first pass (a tenth of the tickets) together with
the SLA targets they produce. Text is drawn from per-ticket streams (`Plan.text_rng`) that only
the passes writing text use.

Times are whole seconds since the epoch until they meet the SLA clocks, which work in datetimes.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from helpdesk.models import Role
from tickets.choices import Status
from tickets.models import SlaKind, SlaPolicy
from tickets.sla.clocks import match_policy

from . import text
from .fastclock import Clocked, FastCalendar, TicketClocks
from .text import Weighted, Zipf

YEARS = 3
OPEN_SHARE = 0.10
DUE_SHARE = 0.17  # of the open tickets: SLA targets the engine has to look at right now
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
HOUR_S = 3600
NEW, INVESTIGATING, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (
    s.value
    for s in (
        Status.NEW,
        Status.INVESTIGATING,
        Status.IN_PROGRESS,
        Status.WAITING_ON_CUSTOMER,
        Status.RESOLVED,
        Status.CLOSED,
    )
)

# UTC hour-of-day and weekday shapes of ticket arrivals (customers in Europe and the Americas).
HOUR_SHAPE = (
    0.35,
    0.3,
    0.28,
    0.28,
    0.3,
    0.4,
    0.6,
    0.85,
    1.0,
    1.1,
    1.15,
    1.15,
    1.1,
    1.2,
    1.3,
    1.35,
    1.3,
    1.15,
    0.95,
    0.8,
    0.7,
    0.6,
    0.5,
    0.42,
)
WEEKDAY_SHAPE = (1.0, 1.0, 1.0, 0.97, 0.9, 0.38, 0.32)

TEAMS = [
    # name, slug, is_security, members, role, support tier
    ("Tier 1 Support", "tier-1-support", False, 110, Role.AGENT, 1),
    ("Tier 2 Support", "tier-2-support", False, 70, Role.AGENT, 2),
    ("Engineering", "engineering", False, 52, Role.ENGINEER, 3),
    ("Security", "security", True, 12, Role.ENGINEER, 3),
    ("Billing Support", "billing-support", False, 20, Role.AGENT, 1),
    ("Integrations", "integrations", False, 22, Role.AGENT, 2),
    ("Platform Reliability", "platform-reliability", False, 14, Role.ENGINEER, 3),
]
AGENTS = 300
SEVERITY = Weighted((1, 2, 3, 4), (3, 14, 50, 33))
CATEGORY = Weighted(
    (
        "authentication",
        "validation",
        "performance",
        "integration",
        "documentation",
        "feature_request",
        "other",
    ),
    (20, 15, 12, 20, 6, 9, 18),
)
ENVIRONMENT = Weighted(("production", "staging", "development", "unknown"), (60, 15, 8, 17))
CHANNEL = Weighted(
    ("email", "portal", "api", "chat", "phone", "monitoring"), (35, 30, 10, 14, 6, 5)
)
ISSUE_TYPE = Weighted(("bug", "question", "configuration", "incident"), (35, 37, 22, 6))
IMPACT = {
    1: Weighted(("revenue_blocking", "feature_unavailable"), (1, 1)),
    2: Weighted(("feature_unavailable", "degraded_performance", "revenue_blocking"), (1, 1, 1)),
    3: Weighted(("degraded_performance", "cosmetic", "", "feature_unavailable"), (1, 1, 1, 1)),
    4: Weighted(("cosmetic", ""), (1, 2)),
}
FINAL_STATUS = Weighted((NEW, INVESTIGATING, IN_PROGRESS), (40, 25, 35))
AFFECTED = Zipf((1, 5, 2, 10, 25, 50, 120, 500, 2000), 0.8)
# Medians of the first reply and of the time to resolve, by severity (wall clock, seconds).
FIRST_REPLY_S = {1: 8 * 60, 2: 40 * 60, 3: 3 * 3600, 4: 10 * 3600}
TIME_TO_RESOLVE_S = {1: 5 * 3600, 2: 36 * 3600, 3: 3 * 86400, 4: 6 * 86400}
# Which team a ticket goes to: (team slug, weight).
ROUTES = {
    "p1": (("tier-2-support", 5), ("platform-reliability", 3), ("engineering", 2)),
    "integration": (("integrations", 5), ("tier-2-support", 3), ("tier-1-support", 2)),
    "performance": (("platform-reliability", 3), ("tier-2-support", 4), ("tier-1-support", 3)),
    "p2-bug": (("engineering", 4), ("tier-2-support", 6)),
    "default": (("tier-1-support", 65), ("tier-2-support", 25), ("engineering", 10)),
}


@dataclass(slots=True)
class Person:
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    joined: datetime
    org: int | None = None  # index into Plan.orgs for contacts
    tier: int = 1
    job_title: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class Org:
    id: int
    slug: str
    name: str
    tier: str
    domain: str
    created_at: datetime
    contacts: list[Person] = field(default_factory=list)


@dataclass(slots=True)
class TeamPlan:
    name: str
    slug: str
    is_security: bool
    id: int | None = None  # set when the team exists or is created
    members: list[Person] = field(default_factory=list)
    lead: Person | None = None
    picker: Zipf | None = None


class Action:
    """One step of a ticket's history: a comment (kind reply/customer/note) or a status change.
    Times are whole seconds since the epoch (UTC), cheap to compare, shift and format."""

    __slots__ = ("at", "kind", "actor", "purpose", "before", "after")

    def __init__(
        self,
        at: int,
        kind: str,
        actor: int | None,
        purpose: str = "",
        before: str = "",
        after: str = "",
    ):
        self.at = at
        self.kind = kind  # reply | customer | note | status
        self.actor = actor
        self.purpose = purpose  # ack ask update resolve customer_* note
        self.before = before
        self.after = after


class Skeleton:
    """A ticket and its history, without its text."""

    __slots__ = (
        "index",
        "id",
        "number",
        "org",
        "requester",
        "creator",
        "assignee",
        "team",
        "severity",
        "category",
        "issue_type",
        "environment",
        "channel",
        "is_security",
        "created",
        "status",
        "actions",
        "updated",
        "first_response",
        "resolved",
        "closed",
        "parent_id",
        "duplicate_of_id",
        "affected_users",
        "business_impact",
        "sla",
    )

    def __init__(self, index: int, id: int, number: int, org: Org, created: int):
        self.index, self.id, self.number, self.org, self.created = index, id, number, org, created
        self.status = NEW
        self.actions: list[Action] = []
        self.updated = created
        self.first_response = self.resolved = self.closed = None
        self.parent_id = self.duplicate_of_id = None
        self.sla: Clocked | None = None  # open tickets: the SLA clocks after the history

    @property
    def is_open(self) -> bool:
        return self.status not in (RESOLVED, CLOSED)


def to_datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def to_seconds(at: datetime) -> int:
    """Whole seconds, rounded up (a reply placed at a due instant is not before it)."""
    whole = int(at.timestamp())
    return whole + 1 if at.microsecond else whole


def whole(duration: timedelta) -> timedelta:
    return timedelta(seconds=int(duration.total_seconds()))


class Arrivals:
    """When tickets arrive: three years, busier every year, weekdays and office hours busier,
    noisy days with the odd incident spike. `hours(q)` is the inverse of the arrival CDF."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime):
        self.start = start
        self.span_hours = (now - start).total_seconds() / 3600
        bins = math.ceil(self.span_hours)
        noise = {}
        weights = []
        for h in range(bins):
            at = start + timedelta(hours=h)
            day = h // 24
            if day not in noise:
                spike = 2.5 if rng.random() < 0.01 else 1.0
                noise[day] = rng.lognormvariate(0, 0.2) * spike
            width = min(1.0, self.span_hours - h)
            weights.append(
                (1 + 1.6 * h / bins)
                * WEEKDAY_SHAPE[at.weekday()]
                * HOUR_SHAPE[at.hour]
                * noise[day]
                * width
            )
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def hours(self, q: float) -> float:
        target = q * self.total
        b = bisect_left(self.cum, target)
        b = min(b, len(self.cum) - 1)
        prev = self.cum[b - 1] if b else 0.0
        width = min(1.0, self.span_hours - b)
        frac = (target - prev) / (self.cum[b] - prev) if self.cum[b] > prev else 0.0
        return b + frac * width


class Plan:
    def __init__(
        self,
        *,
        tickets: int,
        seed: int,
        now: datetime,
        ids: dict[str, int],
        number_base: int,
        policies: list[SlaPolicy],
        specs: dict,
        teams: dict,
    ):
        self.n = tickets
        self.seed = seed
        self.now = now.replace(microsecond=0)
        self.start = self.now - timedelta(days=365 * YEARS)
        self.now_s, self.start_s = int(self.now.timestamp()), int(self.start.timestamp())
        self.ids = ids
        self.number_base = number_base
        self.policies = policies
        rng = random.Random(seed)
        self.text = text.TextGen(seed)
        self.arrivals = Arrivals(rng, self.start, self.now)
        self.calendars = {
            cid: FastCalendar(spec, self.start - 30 * DAY, self.now + 400 * DAY)
            for cid, spec in specs.items()
        }
        self._people(rng, teams)
        self._organizations(rng)
        self.people_by_id = {p.id: p for p in self.users()}
        self.open_target = round(tickets * OPEN_SHARE)
        self._calibrate_open()
        # Open tickets' histories, kept from the first pass over the tickets: building one
        # replays its SLA clocks, and every later pass (and the SLA targets) needs the same.
        self._open: dict[int, tuple] = {}

    # -- people -----------------------------------------------------------------------------

    def _person(
        self,
        rng: random.Random,
        *,
        pid: int,
        username: str,
        role: str,
        domain: str,
        joined: datetime,
        **extra,
    ) -> Person:
        first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
        email = f"{first}.{last}.{pid}@{domain}".lower()
        return Person(pid, username, first, last, email, role, joined, **extra)

    def _people(self, rng: random.Random, existing_teams: dict) -> None:
        next_user = self.ids["user"]
        self.teams: list[TeamPlan] = []
        self.agents: list[Person] = []
        total = sum(t[3] for t in TEAMS)
        for name, slug, is_security, size, role, tier in TEAMS:
            team = TeamPlan(name, slug, is_security, id=existing_teams.get(name))
            size = max(2, round(size * AGENTS / total))
            for k in range(size):
                member_role = Role.MANAGER if k == 0 else role
                person = self._person(
                    rng,
                    pid=next_user,
                    username=f"scale-agent-{len(self.agents):03d}",
                    role=member_role,
                    domain="support.example.com",
                    joined=self.start - timedelta(days=rng.randrange(1, 900)),
                    tier=tier if k else min(3, tier + 1),
                )
                next_user += 1
                team.members.append(person)
                self.agents.append(person)
            team.lead = team.members[0]
            # A few agents take most of the tickets; the lead takes few.
            team.picker = Zipf(team.members[1:] + team.members[:1], 0.5)
            self.teams.append(team)
        self.team_by_slug = {t.slug: t for t in self.teams}
        self.routes = {
            name: Weighted([self.team_by_slug[slug] for slug, _ in route], [w for _, w in route])
            for name, route in ROUTES.items()
        }
        self.next_user = next_user

    def _organizations(self, rng: random.Random) -> None:
        # 1,000 accounts at a million tickets; fewer (but not proportionally fewer) below.
        count = max(10, round(1000 * min(1.0, self.n / 1_000_000) ** 0.5))
        big = 5 if count >= 50 else 1
        tiers = ["enterprise"] * round(count * 0.05) + ["business"] * round(count * 0.25)
        tiers += ["free"] * (count - len(tiers))
        # The big accounts are enterprise; the rest of the tiers are spread over the sizes.
        rest = tiers[big:]
        rng.shuffle(rest)
        tiers = tiers[:big] + rest
        self.orgs: list[Org] = []
        weights = []
        next_org = self.ids["organization"]
        next_user = self.next_user
        self.contacts: list[Person] = []
        for i in range(count):
            name = text.organization_name(rng, i)
            domain = text.domain_for(name, rng)
            org = Org(
                next_org + i,
                f"scale-org-{i:04d}",
                name,
                tiers[i],
                domain,
                self.start - timedelta(days=rng.randrange(30, 1500)),
            )
            for k in range(rng.randrange(2, 5)):
                person = self._person(
                    rng,
                    pid=next_user,
                    username=f"scale-c{i:04d}-{k}",
                    role=Role.CUSTOMER,
                    domain=domain,
                    joined=org.created_at + timedelta(days=rng.randrange(0, 30)),
                    org=i,
                    job_title=rng.choice(text.JOB_TITLES),
                )
                next_user += 1
                org.contacts.append(person)
                self.contacts.append(person)
            self.orgs.append(org)
            if i < big:
                weights.append(0.036 - 0.001 * i)  # five accounts with 3%+ of all tickets each
            else:
                tier_boost = {"enterprise": 4.0, "business": 1.6, "free": 1.0}[org.tier]
                weights.append(tier_boost / (i - big + 8) ** 0.9)
        # The big accounts take `share` of all tickets between them, the long tail the rest.
        head, tail = sum(weights[:big]), sum(weights[big:])
        share = min(0.18, 0.036 * big)
        scale = (1 - share) * head / share / tail
        self.org_cum = list(accumulate(weights[:big] + [w * scale for w in weights[big:]]))
        self.next_user = next_user

    def users(self) -> list[Person]:
        return self.agents + self.contacts

    # -- when tickets are open --------------------------------------------------------------

    def _age_days(self, index: int) -> float:
        hours = self.arrivals.hours((index + 0.5) / self.n)
        return (self.arrivals.span_hours - hours) / 24

    def _calibrate_open(self) -> None:
        """P(open) = k * exp(-age / tau): recent tickets are mostly open, old ones rarely.
        k is set so that exactly OPEN_SHARE of the tickets come out open."""
        ages = [self._age_days(i) for i in range(self.n)]
        tau = 100.0
        while True:
            weight = sum(math.exp(-a / tau) for a in ages)
            k = self.open_target / weight if weight else 0.0
            if k <= 1.0:
                break
            tau *= 1.3
        self.tau, self.k_open = tau, k

    # -- the tickets -------------------------------------------------------------------------

    def text_rng(self, index: int) -> random.Random:
        return random.Random(self.seed * 10_000_019 + index)

    def open_clocks(self) -> Iterator[tuple[int, Clocked]]:
        """(ticket id, clocks) of the open tickets with SLA targets, after a pass."""
        for index, cached in self._open.items():
            if cached[-1] is not None:
                yield self.ids["ticket"] + index, cached[-1]

    def tickets(self) -> Iterator[Skeleton]:
        """Every ticket's history, in id (and creation) order; the same on every call."""
        rng = random.Random(self.seed + 1)
        u0 = rng.random()
        acc = 0.0
        opened = due_rows = 0
        n, start, now = self.n, self.start_s, self.now_s
        exp, floor, hours_at = math.exp, math.floor, self.arrivals.hours
        span_days = self.arrivals.span_hours / 24
        last_by_org: dict[int, int] = {}
        incident: tuple[int, int] | None = None
        for i in range(n):
            created = min(start + int(hours_at((i + rng.random()) / n) * 3600), now - 1)
            age_days = span_days - hours_at((i + 0.5) / n) / 24
            before, acc = acc, acc + self.k_open * exp(-age_days / self.tau)
            is_open = floor(acc + u0) > floor(before + u0)
            need = self.open_target - opened
            if need >= n - i:
                is_open = True
            elif need <= 0:
                is_open = False
            sk = self._ticket(rng, i, created)
            if sk.severity == 1 and sk.issue_type == "incident":
                incident = (sk.id, created)
            elif incident and created - incident[1] < 6 * HOUR_S and rng.random() < 0.25:
                sk.parent_id = incident[0]
            previous = last_by_org.get(sk.org.id)
            last_by_org[sk.org.id] = sk.id
            if is_open:
                opened += 1
                cached = self._open.get(i)
                if cached is None:
                    # Its own stream: the retries below must not shift the main one.
                    own = random.Random(self.seed * 7_919_011 + i)
                    self._open_history(own, sk, want_due=due_rows < DUE_SHARE * opened)
                    cached = self._open[i] = (
                        sk.actions,
                        sk.status,
                        sk.first_response,
                        sk.updated,
                        sk.assignee,
                        sk.sla,
                    )
                (sk.actions, sk.status, sk.first_response, sk.updated, sk.assignee, sk.sla) = cached
                if sk.sla is not None:
                    due_rows += sk.sla.due
            else:
                self._closed_history(rng, sk)
                if previous and rng.random() < 0.015:
                    sk.duplicate_of_id = previous
            yield sk

    def _ticket(self, rng: random.Random, i: int, created: int) -> Skeleton:
        orgs = self.orgs
        org = orgs[min(bisect_left(self.org_cum, rng.random() * self.org_cum[-1]), len(orgs) - 1)]
        sk = Skeleton(i, self.ids["ticket"] + i, self.number_base + i, org, created)
        severity = SEVERITY(rng)
        if org.tier == "enterprise" and severity > 1 and rng.random() < 0.15:
            severity -= 1
        sk.severity = severity
        sk.category = category = CATEGORY(rng)
        sk.channel = channel = CHANNEL(rng)
        sk.environment = ENVIRONMENT(rng)
        if category == "feature_request":
            sk.issue_type = "question"
        elif severity == 1:
            sk.issue_type = "incident" if rng.random() < 0.5 else "bug"
        else:
            sk.issue_type = ISSUE_TYPE(rng)
        sk.is_security = rng.random() < 0.006
        sk.team = team = self._route(rng, severity, category, sk.issue_type, sk.is_security)
        sk.requester = (
            None if channel == "monitoring" else org.contacts[int(rng.random() * len(org.contacts))]
        )
        sk.business_impact = IMPACT[severity](rng) if rng.random() < 0.7 else ""
        sk.affected_users = AFFECTED(rng) if rng.random() < 0.45 else None
        agent = team.picker(rng).id
        sk.assignee = agent
        sk.creator = agent if channel in ("phone", "chat", "monitoring") else sk.requester.id
        return sk

    def _route(self, rng, severity, category, issue_type, is_security) -> TeamPlan:
        if is_security:
            return self.team_by_slug["security"]
        if severity == 1:
            return self.routes["p1"](rng)
        if category in ("integration", "performance"):
            return self.routes[category](rng)
        if issue_type == "bug" and severity == 2:
            return self.routes["p2-bug"](rng)
        if category == "other" and rng.random() < 0.3:
            return self.team_by_slug["billing-support"]
        return self.routes["default"](rng)

    def _agent(self, rng: random.Random, sk: Skeleton) -> int:
        return sk.assignee if rng.random() < 0.85 else sk.team.picker(rng).id

    def _customer(self, rng: random.Random, sk: Skeleton) -> int:
        if sk.requester is None or rng.random() < 0.15:
            contacts = sk.org.contacts
            return contacts[int(rng.random() * len(contacts))].id
        return sk.requester.id

    # -- closed tickets ---------------------------------------------------------------------

    def _closed_history(self, rng: random.Random, sk: Skeleton) -> None:
        c, now = sk.created, self.now_s
        span = now - c
        gauss = rng.gauss
        resolved = c + int(TIME_TO_RESOLVE_S[sk.severity] * math.exp(gauss(0, 1.1)))
        if resolved >= now - 60:
            resolved = c + int(span * (0.5 + 0.45 * rng.random()))
        window = resolved - c
        first = c + int(
            min(
                FIRST_REPLY_S[sk.severity] * math.exp(gauss(0, 0.9)),
                window * (0.1 + 0.4 * rng.random()),
            )
        )
        actions: list[Action] = []
        append = actions.append
        assignee = sk.assignee
        replied = first < resolved and rng.random() < 0.95
        status = NEW
        if replied:
            append(Action(first, "reply", self._agent(rng, sk), "ack"))
            if first + 60 < resolved and rng.random() < 0.65:
                status = IN_PROGRESS if rng.random() < 0.7 else INVESTIGATING
                append(Action(first + 60, "status", assignee, "", NEW, status))
        # The middle of the conversation, between the first reply and the resolution.
        middle = []
        if rng.random() < 0.3:
            middle.append("customer_followup")
        if rng.random() < 0.2:
            middle.append("update")
        if rng.random() < 0.35:
            middle.append("note")
        if replied and rng.random() < 0.3:
            middle.append("wait")
        lo = (actions[-1].at if actions else c) + 1
        room = resolved - 120 - lo
        if middle and room > 600:
            rng.shuffle(middle)
            points = sorted(int(room * rng.random()) for _ in range(len(middle) * 2))
            for k, step in enumerate(middle):
                at = lo + points[2 * k]
                if step == "wait":
                    answer = lo + points[2 * k + 1]
                    if answer <= at + 60:
                        continue
                    append(Action(at, "reply", self._agent(rng, sk), "ask"))
                    append(Action(at, "status", assignee, "", status, WAITING))
                    customer = self._customer(rng, sk)
                    append(Action(answer, "customer", customer, "customer_info"))
                    append(Action(answer, "status", customer, "", WAITING, IN_PROGRESS))
                    status = IN_PROGRESS
                elif step == "note":
                    append(Action(at, "note", self._agent(rng, sk), "note"))
                elif step == "update":
                    append(Action(at, "reply", self._agent(rng, sk), "update"))
                else:
                    append(Action(at, "customer", self._customer(rng, sk), step))
        if rng.random() < 0.85:
            append(Action(resolved - 1, "reply", assignee, "resolve"))
        actions.sort(key=_at)  # stable: a reply stays before its status change
        status = _replay_status(actions, NEW)
        append(Action(resolved, "status", assignee, "", status, RESOLVED))
        sk.status = RESOLVED
        sk.resolved = resolved
        closed = resolved + 3600 + int(rng.random() * 9 * 86400)
        if closed >= now and rng.random() < 0.05:
            closed = now - 1
        if resolved < closed < now:
            if closed - resolved > 60 and rng.random() < 0.35:
                thanks = resolved + 1 + int((closed - resolved - 2) * rng.random())
                append(Action(thanks, "customer", self._customer(rng, sk), "customer_thanks"))
            confirmer = sk.requester.id if sk.requester and rng.random() < 0.3 else assignee
            append(Action(closed, "status", confirmer, "", RESOLVED, CLOSED))
            sk.status = CLOSED
            sk.closed = closed
        sk.actions = actions
        sk.first_response = next((a.at for a in actions if a.kind == "reply"), None)
        sk.updated = actions[-1].at

    # -- open tickets ------------------------------------------------------------------------

    def _open_history(self, rng: random.Random, sk: Skeleton, *, want_due: bool) -> None:
        policy = match_policy(
            self.policies, severity=sk.severity, tier=sk.org.tier, channel=sk.channel
        )
        calendar = self.calendars.get(policy.calendar_id) if policy else None
        age_days = (self.now_s - sk.created) / 86400
        if rng.random() < 0.15 + 0.2 * min(1.0, age_days / 45):
            want = "paused"
        else:
            want = "due" if want_due else "running"
        if policy is None:
            if want == "paused":
                self._waiting(rng, sk)
            else:
                self._active(rng, sk, None, None, "")
            self._finish_open(sk)
            return
        if want != "paused":
            for _ in range(3):
                if self._build_running(rng, sk, policy, calendar, want):
                    clocks = self._simulate(sk, policy, calendar)
                    if clocks.due == (1 if want == "due" else 0):
                        sk.sla = clocks
                        self._finish_open(sk)
                        return
                if want == "due":
                    want = "running"  # not possible for this ticket: keep it healthy instead
        self._waiting(rng, sk)
        sk.sla = self._simulate(sk, policy, calendar)
        self._finish_open(sk)

    def _finish_open(self, sk: Skeleton) -> None:
        sk.actions.sort(key=_at)
        sk.status = _replay_status(sk.actions, NEW)
        sk.first_response = next((a.at for a in sk.actions if a.kind == "reply"), None)
        sk.updated = max(sk.created, sk.actions[-1].at) if sk.actions else sk.created
        if (
            sk.first_response is None
            and sk.channel not in ("phone", "chat", "monitoring")
            and (sk.id % 4)
        ):
            sk.assignee = None  # most tickets nobody has answered yet are unassigned

    def _simulate(self, sk: Skeleton, policy, calendar) -> Clocked:
        actions = sorted(sk.actions, key=_at)
        _replay_status(actions, NEW)
        clocks = TicketClocks(policy, calendar)
        clocks.create(to_datetime(sk.created))
        for action in actions:
            if action.kind == "reply":
                clocks.agent_reply(to_datetime(action.at))
            elif action.kind == "status":
                clocks.change_status(action.after, to_datetime(action.at))
        return clocks.result(self.now)

    def _notes_and_followups(self, rng, sk: Skeleton, lo: int, hi: int, *, customer: bool) -> None:
        if hi - lo < 120:
            return
        if rng.random() < 0.3:
            sk.actions.append(
                Action(lo + int((hi - lo) * rng.random()), "note", self._agent(rng, sk), "note")
            )
        if customer and rng.random() < 0.3:
            sk.actions.append(
                Action(
                    lo + int((hi - lo) * rng.random()),
                    "customer",
                    self._customer(rng, sk),
                    "customer_followup",
                )
            )

    def _waiting(self, rng: random.Random, sk: Skeleton) -> None:
        """Waiting on the customer: the agent asked a question and the clocks are paused."""
        c, now = sk.created, self.now_s
        sk.actions = []
        asked = c + int((now - c) * (0.05 + 0.9 * rng.random()))
        status = NEW
        if asked - c > 300 and rng.random() < 0.8:
            first = c + int((asked - c) * (0.05 + 0.45 * rng.random()))
            sk.actions.append(Action(first, "reply", self._agent(rng, sk), "ack"))
            sk.actions.append(Action(first + 1, "status", sk.assignee, "", status, IN_PROGRESS))
            status = IN_PROGRESS
            self._notes_and_followups(rng, sk, first + 2, asked, customer=True)
        sk.actions.append(Action(asked, "reply", self._agent(rng, sk), "ask"))
        # The question and the move to waiting are one action (ticket_transition's message).
        sk.actions.append(Action(asked, "status", sk.assignee, "", status, WAITING))

    def _active(self, rng, sk: Skeleton, first: int | None, last: int | None, final: str) -> None:
        """Replies at `first` and `last` (business-time choices made by the caller)."""
        c, now = sk.created, self.now_s
        if first is None:
            first = c + int((now - c) * (0.05 + 0.55 * rng.random()))
        sk.actions.append(Action(first, "reply", self._agent(rng, sk), "ack"))
        after = final or (INVESTIGATING if rng.random() < 0.35 else IN_PROGRESS)
        moved = min(first + 1, now)
        if after != NEW:  # answered, but nobody has moved it on yet
            sk.actions.append(Action(moved, "status", sk.assignee, "", NEW, after))
        if last is not None and last > moved:
            sk.actions.append(Action(last, "reply", self._agent(rng, sk), "update"))
        self._notes_and_followups(rng, sk, moved + 1, last or now, customer=True)

    def _build_running(
        self, rng: random.Random, sk: Skeleton, policy: SlaPolicy, cal: FastCalendar, want: str
    ) -> bool:
        """A history whose running clocks are all ahead of now ("running") or exactly one of
        which needs the engine now ("due"). Works backwards from now in business time. Returns
        False when the ticket's age makes the wish impossible."""
        sk.actions = []
        c, now_s, now = sk.created, self.now_s, self.now
        created = to_datetime(c)
        total = cal.between(created, now)
        fr, up, res = policy.first_response, policy.update_interval, policy.resolution

        def lead(x: timedelta) -> timedelta:
            return policy.warning_lead(x)

        def healthy(x: timedelta) -> timedelta:
            return whole((x - lead(x)) * (0.1 + 0.75 * rng.random()))

        def late(x: timedelta) -> timedelta:
            return whole((x - lead(x)) + 2 * lead(x) * rng.random())

        # Unanswered and young: only the first response runs.
        if fr is not None:
            young = total < (fr - lead(fr)) * 0.9
            unanswered_due = fr - lead(fr) <= total <= fr + lead(fr) and (
                res is None or total < (res - lead(res)) * 0.95
            )
            if (want == "running" and young and rng.random() < 0.7) or (
                want == "due" and unanswered_due and rng.random() < 0.5
            ):
                self._notes_and_followups(rng, sk, c + 1, now_s, customer=True)
                return True

        options = []
        if res is not None and total >= res - lead(res) + MINUTE:
            options.append(SlaKind.RESOLUTION)
        if up is not None and total >= up - lead(up) + 2 * MINUTE:
            options.append(SlaKind.UPDATE)
        due_kind = None
        if want == "due":
            if not options:
                return False
            due_kind = options[int(rng.random() * len(options))]
        used_up = None
        if up is not None:
            used_up = late(up) if due_kind == SlaKind.UPDATE else healthy(up)
        if res is not None:
            used_res = late(res) if due_kind == SlaKind.RESOLUTION else healthy(res)
            if used_up is not None and used_up >= used_res:
                room = (res - lead(res)) - used_up
                if due_kind == SlaKind.RESOLUTION or room <= 2 * MINUTE:
                    return False
                used_res = used_up + whole(room * (0.1 + 0.8 * rng.random()))
        else:
            used_res = total
        used_res = min(used_res, total)
        paused = total - used_res
        final = FINAL_STATUS(rng)

        if paused <= 5 * MINUTE:
            last = to_seconds(cal.back(now, used_up)) if used_up is not None else None
            if last is not None and last <= c + 2:
                if due_kind == SlaKind.UPDATE:
                    return False
                last = None
            first = None
            if last is not None:
                if last - c > 600 and rng.random() < 0.6:
                    first = c + int((last - c) * (0.05 + 0.55 * rng.random()))
                else:
                    first, last = last, None
            self._active(rng, sk, first, last, final)
            return True

        # Too old for the resolution target: the ticket waited on the customer for a while.
        low = used_up if used_up is not None else timedelta(0)
        back_part = low + whole((used_res - low) * (0.05 + 0.55 * rng.random()))
        front = used_res - back_part  # from creation to the question
        asked = to_seconds(cal.due_at(created, front)) if front > timedelta(0) else c
        answered = to_seconds(cal.back(now, back_part))
        if answered <= asked + 60 or answered >= now_s:
            return False
        status = NEW
        if asked - c > 300 and rng.random() < 0.8:
            first = c + int((asked - c) * (0.05 + 0.45 * rng.random()))
            sk.actions.append(Action(first, "reply", self._agent(rng, sk), "ack"))
            sk.actions.append(Action(first + 1, "status", sk.assignee, "", status, IN_PROGRESS))
            status = IN_PROGRESS
        sk.actions.append(Action(asked, "reply", self._agent(rng, sk), "ask"))
        sk.actions.append(Action(asked, "status", sk.assignee, "", status, WAITING))
        customer = self._customer(rng, sk)
        sk.actions.append(Action(answered, "customer", customer, "customer_info"))
        sk.actions.append(Action(answered, "status", customer, "", WAITING, IN_PROGRESS))
        last = to_seconds(cal.back(now, used_up)) if used_up is not None else None
        if last is not None and last <= answered:
            if due_kind == SlaKind.UPDATE:
                return False
            last = None
        if last is not None:
            sk.actions.append(Action(last, "reply", self._agent(rng, sk), "update"))
        if final == INVESTIGATING:  # (the customer's answer moved it to in progress)
            moved = (last or answered) + 1
            if moved < now_s:
                sk.actions.append(Action(moved, "status", sk.assignee, "", IN_PROGRESS, final))
        self._notes_and_followups(rng, sk, answered + 1, now_s, customer=False)
        return True


def _at(action: Action) -> int:
    return action.at


def _replay_status(actions: list[Action], status: str) -> str:
    """The status after the actions, with each status action's `before` set to match."""
    for action in actions:
        if action.kind == "status":
            action.before = status
            status = action.after
    return status
