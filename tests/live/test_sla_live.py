"""Warnings, breaches and reminders through a real worker, beat, Redis, SMTP server and webhook
receiver: each fires within a tick of its time, and each is recorded and delivered exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from helpdesk.models import Notification, OutboundMessage
from tests.factories import make_ticket
from tests.live.harness import wait_for
from tickets import services
from tickets.models import SlaEvent

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_live,
]
TICK = timedelta(seconds=1)
SLACK = timedelta(seconds=3)  # one tick, plus the time a tick and a task take on 2 loaded cores


def test_warning_breach_and_reminder_fire_once_and_are_delivered_once(
    processes, smtp, webhook, fast_policy, people
):
    assignee = people["assignee"]
    ticket = make_ticket(
        actor=assignee,
        organization=people["org"],
        severity=1,
        assignee=assignee,
        team=people["team"],
    )
    processes.start("worker")
    processes.start("beat")

    # First response: warned at 4 s, breached at 8 s.
    assert wait_for(
        lambda: SlaEvent.objects.filter(ticket=ticket, kind="breached").exists(), timeout=40
    )
    # A public reply fulfils it and starts the 8 s customer-update period:
    # a reminder, then a breach.
    services.comment_add(ticket=ticket, author=assignee, body="Investigating now.")
    assert wait_for(
        lambda: SlaEvent.objects.filter(
            ticket=ticket, target_kind="update", kind="breached"
        ).exists(),
        timeout=40,
    )
    assert wait_for(
        lambda: (
            not OutboundMessage.objects.exclude(status="sent").exists()
            and OutboundMessage.objects.count() >= 13
        ),
        timeout=40,
    ), list(OutboundMessage.objects.values_list("dedup_key", "status", "last_error"))

    # Exactly one event per obligation, each within a tick of its time.
    fired = SlaEvent.objects.filter(ticket=ticket, kind__in=["warned", "breached"])
    assert sorted((e.target_kind, e.kind) for e in fired) == [
        ("first_response", "breached"),
        ("first_response", "warned"),
        ("update", "breached"),
        ("update", "warned"),
    ]
    for event in fired:
        planned = event.due_at if event.kind == "breached" else event.due_at - timedelta(seconds=4)
        assert timedelta(0) <= event.at - planned <= TICK + SLACK, (event.kind, event.at - planned)

    # One outbox message per recipient and obligation, each delivered once. A P1 also pages its
    # owners (the assignee and the team lead, no one being on call): one page email each.
    emails = OutboundMessage.objects.filter(channel="email")
    sla_mail = emails.filter(dedup_key__startswith="sla:")
    page_mail = emails.filter(dedup_key__startswith="page:")
    assert Counter(sla_mail.values_list("recipient", flat=True)) == Counter(
        {"ana@example.com": 4, "lead@example.com": 2}  # lead: breaches only
    )
    assert Counter(page_mail.values_list("recipient", flat=True)) == Counter(
        {"ana@example.com": 1, "lead@example.com": 1}
    )
    assert emails.count() == sla_mail.count() + page_mail.count()
    received = smtp.message_ids()
    assert len(received) == len(set(received)) == 8
    assert set(received) == {m.message_id for m in emails}
    paged = [m for m in smtp.messages if m["Subject"].startswith("Page: P1")]
    assert sorted(m["To"] for m in paged) == ["ana@example.com", "lead@example.com"]
    reminder = next(m for m in smtp.messages if m["Subject"].startswith("Customer update due"))
    assert "?template=status-update" in reminder.get_payload()

    assert webhook.bad_signatures == 0
    assert sorted(b["event"] for b in webhook.bodies) == [
        "page.triggered",
        "sla.breached",
        "sla.breached",
        "sla.warned",
        "sla.warned",
    ]
    assert len({b["_idempotency_key"] for b in webhook.bodies}) == 5
    assert all(b["text"] for b in webhook.bodies)  # chat tools show the `text` field

    bell = Counter(Notification.objects.filter(user=assignee).values_list("kind", flat=True))
    assert bell == Counter({"sla": 4, "page": 1})
    ticket.refresh_from_db()
    assert ticket.sla_credit_review is True
