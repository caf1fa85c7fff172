"""Postmortems: when a draft opens, what it holds, its due dates, reminders, the blameless check
and the Markdown export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from helpdesk.errors import DomainError
from helpdesk.models import Notification, OutboundMessage
from postmortems import blameless, services
from postmortems import engine as pm_engine
from postmortems.due import add_business_days
from postmortems.export import to_markdown
from postmortems.models import ActionItem, Postmortem, Requirement, State, TimelineEntry
from postmortems.tasks import postmortem_open_draft_task
from tests.factories import make_ticket
from tickets import services as ticket_services
from tickets.models import BusinessCalendar, Holiday, SlaEvent, SlaEventKind
from tickets.sla.businesstime import CalendarSpec

from .conftest import T0, resolve

pytestmark = pytest.mark.django_db
RESOLVED_AT = T0 + timedelta(hours=2)
LATER = RESOLVED_AT + timedelta(hours=1)


def test_a_resolved_p1_opens_exactly_one_draft_with_its_pages_and_acknowledgement(
    incident, people, django_capture_on_commit_callbacks
):
    ticket, child = incident
    # The receiver enqueues; the task (and the engine's sweep) may then run any number of times.
    with time_machine.travel(RESOLVED_AT + timedelta(minutes=1), tick=False):
        postmortem_open_draft_task(ticket.pk)
        postmortem_open_draft_task(ticket.pk)
    assert Postmortem.objects.filter(ticket=ticket).count() == 1
    with time_machine.travel(RESOLVED_AT + timedelta(minutes=2), tick=False):
        pm_engine.run(RESOLVED_AT + timedelta(minutes=2))
    assert Postmortem.objects.filter(ticket=ticket).count() == 1
    pm = Postmortem.objects.get(ticket=ticket)
    assert (pm.state, pm.requirement, pm.reason) == (
        State.DRAFT,
        Requirement.REQUIRED,
        "P1 incident",
    )
    assert pm.owner == people["agent"]
    assert pm.draft_due_at == RESOLVED_AT + timedelta(hours=48)
    assert pm.review_due_at == RESOLVED_AT + timedelta(days=3)
    entries = list(pm.entries.values_list("kind", "text", "ticket_key"))
    assert ("page", "Started an on-call page (P1; policy P1)", ticket.key) in entries
    assert ("page", "Paged level 1: Olu Okafor", ticket.key) in entries
    assert (
        "acknowledged",
        "Olu Okafor acknowledged the on-call page (web) after 4 min, at level 1",
        ticket.key,
    ) in entries
    kinds = [kind for kind, _, _ in entries]
    assert (kinds[0], kinds[-1]) == ("created", "resolved")
    assert "customer_update" in kinds
    # The linked ticket's creation is on the incident's timeline too.
    assert ("created", f"Linked ticket {child.key} opened by Ava Lindqvist", child.key) in entries
    assert pm.entries.get(kind="acknowledged").starred is True


def test_the_receiver_enqueues_the_draft_on_resolution_only(people, monkeypatch):
    from postmortems import receivers

    enqueued = []
    monkeypatch.setattr(
        "postmortems.tasks.postmortem_open_draft_task.delay", lambda pk: enqueued.append(pk)
    )
    receivers.on_status_changed(None, ticket_id=7, actor_id=1, before="new", after="investigating")
    receivers.on_status_changed(None, ticket_id=7, actor_id=1, before="new", after="resolved")
    assert enqueued == [7]


@pytest.mark.parametrize(
    ("severity", "paged", "expected"),
    [
        (2, False, (Requirement.RECOMMENDED, "P2 incident")),
        (3, False, None),
        (3, True, (Requirement.REQUIRED, "the on-call was paged")),
        (4, False, None),
    ],
)
def test_what_needs_a_postmortem(people, severity, paged, expected):
    agent = people["agent"]
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, severity=severity, title="Slow exports")
        if paged:
            ticket_services.ticket_record_page_step(
                ticket_id=ticket.pk, summary="started an on-call page", actor=None, now=T0
            )
    ticket = resolve(ticket, agent, at=RESOLVED_AT)
    pm = services.postmortem_open_draft(ticket_id=ticket.pk, now=RESOLVED_AT)
    if expected is None:
        assert pm is None
        assert not Postmortem.objects.exists()
    else:
        assert (pm.requirement, pm.reason) == expected


def test_an_open_ticket_gets_no_draft(people):
    ticket = make_ticket(actor=people["agent"], severity=1, title="Down")
    assert services.postmortem_open_draft(ticket_id=ticket.pk, now=T0) is None
    assert not Postmortem.objects.exists()


def test_p2_review_is_due_after_five_business_days_of_the_tickets_calendar(people):
    agent = people["agent"]
    ticket = make_ticket(actor=agent, severity=2, title="Exports fail")
    calendar = BusinessCalendar.objects.get(pk=ticket.sla_calendar_id)
    # Friday 13 March; Monday 16 is a holiday of the ticket's calendar.
    Holiday.objects.create(calendar=calendar, date=date(2026, 3, 16), name="Local")
    friday = datetime(2026, 3, 13, 15, 30, tzinfo=UTC)
    ticket = resolve(ticket, agent, at=friday)
    pm = services.postmortem_open_draft(ticket_id=ticket.pk, now=friday)
    # Tue 17, Wed 18, Thu 19, Fri 20, Mon 23.
    assert pm.review_due_at == datetime(2026, 3, 23, 15, 30, tzinfo=UTC)
    assert pm.draft_due_at == friday + timedelta(hours=48)


def test_business_days_keep_the_local_time_across_a_clock_change():
    spec = CalendarSpec("Europe/Berlin", ())
    start = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)  # Friday 10:00 in Berlin (CET)
    # Monday to Friday of the next week, 10:00 CEST = 08:00 UTC.
    assert add_business_days(start, 5, spec) == datetime(2026, 4, 3, 8, 0, tzinfo=UTC)


def test_impact_counts_customers_tickets_and_breaches_from_the_rows(incident):
    ticket, child = incident
    # The P1's own customer-update target ran out during the two hours (one breach).
    assert SlaEvent.objects.filter(ticket=ticket, kind=SlaEventKind.BREACHED).count() == 1
    SlaEvent.objects.create(
        ticket=child, target_kind="first_response", kind=SlaEventKind.BREACHED, at=T0
    )
    from postmortems.impact import impact

    figures = impact(ticket)
    assert figures.organizations == ["Acme Corp", "Globex"]
    assert (figures.affected_tickets, figures.sla_breaches) == (2, 2)
    assert figures.duration_text == "2 h"


def _draft(incident):
    ticket, _ = incident
    return services.postmortem_open_draft(ticket_id=ticket.pk, now=RESOLVED_AT)


def test_the_engine_reminds_each_due_date_once(incident, people):
    pm = _draft(incident)
    item = services.action_add(
        postmortem=pm, title="Alert on checkout errors", kind="detect", actor=people["agent"],
        owner=people["oncall"], now=RESOLVED_AT,
    )  # fmt: skip
    assert item.due_at == RESOLVED_AT + timedelta(days=15)
    before_due = pm.draft_due_at - timedelta(seconds=1)
    assert pm_engine.run(before_due) == 0
    late = item.due_at + timedelta(minutes=1)
    pm_engine.run(late)
    pm_engine.run(late + timedelta(minutes=5))
    titles = sorted(
        Notification.objects.filter(kind="postmortem").values_list("user__username", "title")
    )
    assert titles == [
        ("ava", f"Postmortem draft overdue: {pm.ticket.key}"),
        ("ava", f"Postmortem to write: {pm.ticket.key}"),
        ("olu", "Action item overdue: Alert on checkout errors"),
    ]
    emails = OutboundMessage.objects.filter(subject__startswith="Action item overdue")
    assert list(emails.values_list("recipient", flat=True)) == ["olu@example.com"]
    # A new due date is a new obligation, reminded in its turn.
    services.action_update(
        item=item, actor=people["agent"], now=late, title=item.title, kind="detect",
        owner=people["oncall"], due_at=late + timedelta(days=7), link="", status="open",
    )  # fmt: skip
    pm_engine.run(late + timedelta(days=7, minutes=1))
    assert Notification.objects.filter(title__startswith="Action item overdue").count() == 2


def test_reminders_claim_rows_with_skip_locked(incident):
    pm = _draft(incident)
    # A row locked by an edit in progress is left for the next tick (SKIP LOCKED).
    queries = []
    with connection.execute_wrapper(lambda e, sql, *a: queries.append(sql) or e(sql, *a)):
        pm_engine.run(pm.draft_due_at + timedelta(minutes=1))
    assert any("SKIP LOCKED" in q for q in queries)


def test_state_transitions_are_recorded(incident, people):
    pm = _draft(incident)
    agent, manager = people["agent"], people["manager"]
    with pytest.raises(DomainError, match="summary and the root cause"):
        services.postmortem_submit(postmortem=pm, reviewer=manager, actor=agent, now=LATER)
    services.postmortem_save_section(
        postmortem=pm,
        field="root_cause",
        text="The retry queue had no bound.",
        actor=agent,
        now=LATER,
    )
    with pytest.raises(DomainError, match="Someone else reviews"):
        services.postmortem_submit(postmortem=pm, reviewer=agent, actor=agent, now=LATER)
    services.postmortem_submit(postmortem=pm, reviewer=manager, actor=agent, now=LATER)
    with pytest.raises(DomainError, match="reviewer or a manager"):
        services.postmortem_publish(postmortem=pm, actor=agent, now=LATER)
    services.postmortem_publish(postmortem=pm, actor=manager, now=LATER)
    pm.refresh_from_db()
    assert pm.state == State.PUBLISHED
    assert list(pm.changes.values_list("what", flat=True)) == [
        "Draft opened (required: P1 incident)",
        "Submitted for review to Mia Moreau",
        "Published",
    ]
    with pytest.raises(DomainError, match="published"):
        services.postmortem_save_section(
            postmortem=pm, field="summary", text="x", actor=agent, now=LATER
        )


def test_the_customer_summary_is_one_public_reply_per_affected_ticket(incident, people):
    ticket, child = incident
    pm = _draft(incident)
    agent, manager = people["agent"], people["manager"]
    for field, text in (("root_cause", "An unbounded queue."), ("customer_summary", "Fixed.")):
        services.postmortem_save_section(postmortem=pm, field=field, text=text, actor=agent, now=T0)
    services.postmortem_submit(postmortem=pm, reviewer=manager, actor=agent, now=T0)
    services.postmortem_publish(postmortem=pm, actor=manager, now=T0)
    sent = services.postmortem_send_customer_summary(postmortem=pm, actor=manager, now=T0)
    assert sent == sorted([ticket.key, child.key])
    for t in (ticket, child):
        assert list(
            t.comments.filter(is_internal=False, body="Fixed.").values_list("author", flat=True)
        ) == [manager.pk]
    with pytest.raises(DomainError, match="already sent"):
        services.postmortem_send_customer_summary(postmortem=pm, actor=manager, now=T0)


BLAMELESS_CASES = [
    ({"root_cause": "The deploy script had no dry run."}, []),
    ({"root_cause": "Human error during the deploy."}, [("root_cause", "Human error")]),
    ({"went_wrong": "We should have checked the config."}, [("went_wrong", "should have")]),
    ({"trigger": "A careless change to the proxy."}, [("trigger", "careless")]),
    ({"root_cause": "Ava Lindqvist pushed the change."}, [("root_cause", "Ava Lindqvist")]),
    ({"summary": "Ava Lindqvist led the response."}, []),  # names are fine outside the cause
    ({"root_cause": "The avalanche of retries."}, []),  # a name inside a word is no name
]


@pytest.mark.parametrize(("sections", "expected"), BLAMELESS_CASES)
def test_blameless_check(sections, expected):
    warnings = blameless.check(sections, names=["Ava Lindqvist", "Ava", "Lindqvist"])
    assert [(w.section, w.phrase) for w in warnings] == expected


def test_markdown_export_holds_every_section_the_timeline_and_the_actions(incident, people):
    pm = _draft(incident)
    agent = people["agent"]
    services.postmortem_save_section(
        postmortem=pm, field="root_cause", text="An unbounded retry queue.", actor=agent, now=T0
    )
    hidden = pm.entries.filter(kind="page").first()
    services.timeline_entry_update(entry=hidden, hidden=True, actor=agent, now=T0)
    services.action_add(
        postmortem=pm, title="Bound the queue", kind="prevent", actor=agent, owner=agent,
        link="https://tracker.example.com/OPS-12", now=T0,
    )  # fmt: skip
    text = to_markdown(Postmortem.objects.get(pk=pm.pk))
    ticket = pm.ticket
    assert text.startswith(f"# Postmortem: {ticket.key} Checkout down\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Summary", "## Impact", "## Timeline", "## Detection", "## Trigger",
        "## Root cause and contributing factors", "## Resolution: immediate fix",
        "## Resolution: long-term fix", "## Resolution: verification",
        "## Lessons learned: what went well", "## Lessons learned: what went wrong",
        "## Lessons learned: where we got lucky", "## Prevention", "## Action items",
    ]  # fmt: skip
    assert "- Affected customers: Acme Corp, Globex" in text
    assert "An unbounded retry queue." in text
    assert hidden.text not in text
    assert "| **Olu Okafor acknowledged the on-call page (web) after 4 min, at level 1** |" in text
    assert (
        "- [ ] Bound the queue — Prevent, Ava Lindqvist, due 2026-03-25, Open "
        "(https://tracker.example.com/OPS-12)"
    ) in text


def test_bad_input_is_refused_and_changes_nothing(incident, people):
    pm = _draft(incident)
    agent = people["agent"]
    entry = pm.entries.first()
    save = services.postmortem_save_section
    add = services.action_add
    calls = (
        (lambda: save(postmortem=pm, field="owner", text="x", actor=agent, now=T0), "no such"),
        (
            lambda: services.timeline_entry_update(entry=entry, text="  ", actor=agent, now=T0),
            "needs some text",
        ),
        (lambda: add(postmortem=pm, title="x", kind="blame", actor=agent, now=T0), "mitigate"),
        (
            lambda: add(
                postmortem=pm,
                title="x",
                kind="detect",
                link="javascript:alert(1)",
                actor=agent,
                now=T0,
            ),
            "http",
        ),  # fmt: skip
    )
    for call, match in calls:
        with pytest.raises(DomainError, match=match):
            call()
    assert TimelineEntry.objects.get(pk=entry.pk).text == entry.text
    assert not ActionItem.objects.exists()


def test_pages_sent_and_acknowledged_through_escalation_reach_the_draft(people):
    """The same, with the on-call app's own services writing the page steps."""
    from escalation.models import Page
    from escalation.paging import services as paging
    from escalation.paging.tasks import page_start_task
    from tests.escalation.paging_factories import make_policy

    oncall, agent = people["oncall"], people["agent"]
    make_policy({"users": [oncall], "wait_minutes": 5}, severity=1)
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, severity=1, title="Checkout down")
        page_start_task(ticket.pk)
    page = Page.objects.get(ticket=ticket)
    later = T0 + timedelta(minutes=3)
    with time_machine.travel(later, tick=False):
        paging.page_acknowledge(page=page, actor=oncall, via="web", now=later)
    ticket = resolve(ticket, agent, at=RESOLVED_AT)
    with time_machine.travel(RESOLVED_AT, tick=False):
        postmortem_open_draft_task(ticket.pk)
    pm = Postmortem.objects.get(ticket=ticket)
    texts = list(pm.entries.filter(kind__in=("page", "acknowledged")).values_list("kind", "text"))
    assert texts == [
        ("page", "Started an on-call page (P1 ticket; policy P1 and security)"),
        ("page", "Paged level 1: Olu Okafor (in-app, email)"),
        (
            "acknowledged",
            "Olu Okafor acknowledged the on-call page (web) after 3 min 0 s, at level 1",
        ),
    ]


def test_the_engine_sweep_opens_a_draft_whose_enqueue_was_lost(people):
    agent = people["agent"]
    with time_machine.travel(T0, tick=False):
        lost = make_ticket(actor=agent, severity=1, title="Checkout down")
        old = make_ticket(actor=agent, severity=1, title="Search down")
    lost = resolve(lost, agent, at=RESOLVED_AT)
    resolve(old, agent, at=RESOLVED_AT - timedelta(days=2))
    pm_engine.run(RESOLVED_AT + timedelta(minutes=1))
    assert list(Postmortem.objects.values_list("ticket_id", flat=True)) == [lost.pk]


def test_a_backdated_resolution_opens_no_draft(people):
    agent = people["agent"]
    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(actor=agent, severity=1, title="Imported outage")
    ticket = resolve(ticket, agent, at=RESOLVED_AT)
    assert (
        services.postmortem_open_draft(ticket_id=ticket.pk, now=RESOLVED_AT + timedelta(days=3))
        is None
    )
    assert not Postmortem.objects.exists()


def test_customer_updates_read_without_their_markdown_marks():
    from postmortems.drafting import _excerpt

    assert _excerpt("**Update**: the fix is `deployed`.\n\n## Next\nMonitoring") == (
        "Update: the fix is deployed. Next Monitoring"
    )
