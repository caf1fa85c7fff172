"""`manage.py seed_scale`: a small load, checked against the real services and clocks."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count

from helpdesk import clock
from helpdesk.models import Role, User
from tests.factories import make_ticket
from tickets import queue, services
from tickets.choices import OPEN_STATUSES, Status
from tickets.management.commands.seed_scale import MARKER, Command
from tickets.management.scale import rows
from tickets.management.scale.fastclock import FastCalendar
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
from tickets.sla import businesstime, calendars
from tickets.sla.businesstime import CalendarSpec, Period

N = 2000
SAMPLE = 40


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """One load for the whole module, rolled back at its end. A ticket made through the
    services before the load shows that numbers and ids go on after existing rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = make_ticket(title="Made before the load")
        started = clock.now()
        call_command("seed_scale", tickets=N, seed=7, verbosity=0, stdout=io.StringIO())
        yield {"before": before, "started": started, "finished": clock.now()}
        transaction.set_rollback(True)


@pytest.fixture
def scale_db(loaded, db):
    return loaded


def scale_tickets():
    return Ticket.objects.filter(organization__slug__startswith="scale-org-")


def test_counts_and_shape(scale_db):
    tickets = scale_tickets()
    assert tickets.count() == N
    assert tickets.filter(status__in=OPEN_STATUSES).count() == N // 10
    orgs = Organization.objects.filter(slug__startswith="scale-org-")
    assert orgs.filter(slug=MARKER).exists()
    tiers = dict(orgs.values_list("tier").annotate(n=Count("id")))
    assert set(tiers) == {"enterprise", "business", "free"}
    assert tiers["free"] > tiers["business"] > tiers["enterprise"]
    contacts = Contact.objects.filter(organization__in=orgs)
    per_org = contacts.values("organization").annotate(n=Count("id")).values_list("n", flat=True)
    assert set(per_org) <= {2, 3, 4}
    assert set(contacts.values_list("user__role", flat=True)) == {Role.CUSTOMER}
    agents = User.objects.filter(username__startswith="scale-agent-")
    assert agents.count() == 300
    assert set(agents.values_list("role", flat=True)) == {Role.AGENT, Role.ENGINEER, Role.MANAGER}
    assert AgentProfile.objects.filter(user__in=agents).count() == 300
    assert {"Tier 1 Support", "Tier 2 Support", "Engineering", "Security"} <= set(
        Team.objects.values_list("name", flat=True)
    )
    assert Team.objects.get(name="Security").is_security
    # About three comments a ticket; a created event for each; a status event for each resolved.
    comments = Comment.objects.filter(ticket__in=tickets).count()
    assert 2.5 * N < comments < 4.5 * N
    events = TicketEvent.objects.filter(ticket__in=tickets)
    assert events.filter(kind="created").count() == N
    resolved = tickets.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    assert events.filter(kind="status", after=Status.RESOLVED, ticket__in=resolved).count() == (
        resolved.count()
    )
    # Every comment shows on the timeline.
    assert events.filter(comment__isnull=False).count() == comments


def test_comment_html_is_escaped_paragraphs(scale_db):
    for comment in Comment.objects.filter(ticket__in=scale_tickets())[:200]:
        assert comment.body_html.startswith("<p>")
        assert comment.body_html.endswith("</p>")
        assert "<script" not in comment.body_html


def test_text_has_a_long_tail_of_words(scale_db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ts_stat($$SELECT search_vector FROM tickets_ticket$$)")
        distinct = cursor.fetchone()[0]
    assert distinct > 3000
    # And full-text search finds the playbook's topics.
    for word in ("webhook", "oauth", "pagination", "latency", "422"):
        assert Ticket.objects.filter(search_vector=word).exists(), word


def test_ticket_numbers_are_unique_and_the_sequence_goes_on(scale_db, agent):
    before = scale_db["before"]
    numbers = list(scale_tickets().order_by("number").values_list("number", flat=True))
    assert len(set(numbers)) == N
    assert numbers[0] == before.number + 1
    assert numbers[-1] == before.number + N
    ticket = make_ticket(actor=agent, title="After the load")
    assert ticket.number == before.number + N + 1
    assert ticket.key == f"SUP-{before.number + N + 1}"


def test_sla_targets_exist_only_for_open_tickets(scale_db):
    tickets = scale_tickets()
    closed = tickets.exclude(status__in=OPEN_STATUSES)
    assert not SlaTarget.objects.filter(ticket__in=closed).exists()
    assert not closed.exclude(sla_kind="", sla_due_at=None, sla_paused=False).exists()
    open_ = tickets.filter(status__in=OPEN_STATUSES)
    assert SlaTarget.objects.filter(ticket__in=open_).values("ticket").distinct().count() == (
        open_.count()
    )
    waiting = open_.filter(status=Status.WAITING_ON_CUSTOMER)
    assert waiting.exists()
    assert not waiting.exclude(sla_paused=True, sla_due_at=None).exists()
    assert not SlaTarget.objects.filter(
        ticket__in=waiting, fulfilled_at=None, paused_since=None
    ).exists()


def test_about_a_sixth_of_open_tickets_have_a_target_due_at_load_time(scale_db):
    targets = SlaTarget.objects.filter(ticket__in=scale_tickets())
    at_start = targets.filter(next_check_at__lte=scale_db["started"])
    by_end = targets.filter(next_check_at__lte=scale_db["finished"])
    assert 0.14 * N / 10 <= at_start.count() <= by_end.count() <= 0.2 * N / 10
    assert not by_end.exclude(warned_at=None, breached_at=None).exists()


def _replay(original: Ticket) -> Ticket:
    """The ticket's history again, through the real services and clocks."""
    events = list(original.events.select_related("actor", "comment").order_by("created_at", "id"))
    created = events[0]
    fields = {"severity": original.severity, "channel": original.channel}
    if original.assignee_id:
        fields["assignee"] = original.assignee
    twin = services.ticket_create(
        actor=created.actor or original.assignee,
        organization=original.organization,
        title=original.title,
        requester=original.requester,
        now=original.created_at,
        **fields,
    )
    rest = events[1:]
    for index, event in enumerate(rest):
        following = rest[index + 1] if index + 1 < len(rest) else None
        if (
            event.comment_id
            and following is not None
            and following.kind == "status"
            and following.after == Status.WAITING_ON_CUSTOMER
            and not event.comment.is_internal
        ):
            # The question to the customer and the move to waiting are one action.
            services.ticket_transition(
                ticket=twin,
                to=Status.WAITING_ON_CUSTOMER,
                actor=following.actor,
                message=event.comment.body,
                now=event.comment.created_at,
            )
            twin.refresh_from_db()
            continue
        if event.kind == "status" and event.after == Status.WAITING_ON_CUSTOMER:
            continue  # moved together with the question above
        if event.comment_id:
            comment = event.comment
            services.comment_add(
                ticket=twin,
                author=comment.author,
                body=comment.body,
                is_internal=comment.is_internal,
                now=comment.created_at,
            )
        elif event.kind == "status" and event.actor.is_agent_side:
            services.ticket_transition(
                ticket=twin, to=event.after, actor=event.actor, now=event.created_at
            )
        # A customer's answer moves the ticket by itself: comment_add has done it.
        twin.refresh_from_db()
    return twin


TARGET_FIELDS = (
    "kind",
    "cycle",
    "policy_id",
    "calendar_id",
    "target",
    "started_at",
    "pauses",
    "paused_since",
    "due_at",
    "warn_at",
    "warned_at",
    "breached_at",
    "fulfilled_at",
    "next_check_at",
    "explanation",
)
TICKET_FIELDS = (
    "status",
    "first_response_at",
    "sla_kind",
    "sla_calendar_id",
    "sla_due_at",
    "sla_warn_at",
    "sla_paused",
)


def test_open_tickets_replayed_through_the_services_get_the_same_clocks(scale_db):
    open_ = list(scale_tickets().filter(status__in=OPEN_STATUSES).order_by("id"))
    sample = random.Random(3).sample(open_, SAMPLE)
    # Every kind of state is in the sample: waiting, due now, new, with pauses.
    for original in sample:
        twin = _replay(original)
        loaded = [
            {f: getattr(t, f) for f in TARGET_FIELDS} for t in original.sla_targets.order_by("id")
        ]
        replayed = [
            {f: getattr(t, f) for f in TARGET_FIELDS} for t in twin.sla_targets.order_by("id")
        ]
        assert loaded == replayed, (
            original.key,
            [
                {k: (a[k], b[k]) for k in a if a[k] != b[k]}
                for a, b in zip(loaded, replayed, strict=True)
            ],
        )
        assert {f: getattr(original, f) for f in TICKET_FIELDS} == {
            f: getattr(twin, f) for f in TICKET_FIELDS
        }, original.key


def test_due_times_match_businesstime(scale_db):
    targets = SlaTarget.objects.filter(ticket__in=scale_tickets()).select_related("policy")
    for target in random.Random(5).sample(list(targets), 60):
        spec = calendars.spec_for(target.calendar_id)
        pauses = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in target.pauses]
        if target.paused_since:
            pauses.append((target.paused_since, target.paused_since))
        assert target.due_at == businesstime.due_at(spec, target.started_at, target.target, pauses)
        lead = target.policy.warning_lead(target.target)
        assert target.warn_at == businesstime.due_at(
            spec, target.started_at, target.target - lead, pauses
        )


def test_the_queue_pages_over_the_loaded_tickets(scale_db, django_assert_max_num_queries):
    agent = User.objects.get(username="scale-agent-001")
    with django_assert_max_num_queries(10):
        page = queue.page(agent, queue.QueueQuery())
    assert len(page.rows) == 50
    assert all(t.status in OPEN_STATUSES for t in page.rows)
    dues = [t.sla_due_at for t in page.rows if t.sla_due_at]
    assert dues == sorted(dues)
    following = queue.page(agent, queue.QueueQuery(cursor=page.next_cursor))
    assert {t.pk for t in following.rows}.isdisjoint({t.pk for t in page.rows})
    found = queue.page(agent, queue.QueueQuery(status=("all",), q="webhook"))
    assert found.rows


def test_a_second_run_does_nothing(scale_db):
    counts = (Ticket.objects.count(), Comment.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("seed_scale", tickets=N, seed=7, stdout=out)
    assert "already loaded" in out.getvalue()
    assert (Ticket.objects.count(), Comment.objects.count(), User.objects.count()) == counts


def test_the_same_seed_gives_the_same_dataset(db):
    def first_rows(seed: int) -> list[tuple]:
        with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
            plan = Command()._plan(300, seed)
        return list(rows.ticket_rows(plan)) + list(rows.comment_rows(plan, 1))

    assert first_rows(11) == first_rows(11)
    assert first_rows(11) != first_rows(12)


def test_fast_calendar_gives_businesstime_due_instants():
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    spec = CalendarSpec(
        "Europe/Berlin",
        tuple(Period(d, time(9), time(17)) for d in range(5)),
        frozenset({date(2026, 3, 30)}),
    )
    rng = random.Random(1)
    for candidate in (CalendarSpec.always_open(), spec):
        fast = FastCalendar(candidate, now - timedelta(days=500), now + timedelta(days=60))
        for _ in range(150):
            start = now - timedelta(seconds=rng.randrange(0, 400 * 86400))
            target = timedelta(minutes=rng.choice([15, 60, 240, 1440, 4320, 10080]))
            pauses = []
            if rng.random() < 0.5:
                a = start + timedelta(seconds=rng.randrange(0, 10 * 86400))
                pauses.append((a, a + timedelta(seconds=rng.randrange(0, 20 * 86400))))
            assert fast.due_at(start, target, pauses) == businesstime.due_at(
                candidate, start, target, pauses
            )


def test_refuses_a_smaller_dataset_when_a_bigger_one_is_asked_for(scale_db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="smaller scale dataset"):
        call_command("seed_scale", tickets=N * 10, verbosity=0, stdout=io.StringIO())
    assert Ticket.objects.count() == N + 1
