"""Pages through a real worker, beat, Redis, SMTP server and chat webhook: a P1 pages level 1 at
once, level 2 after its wait, and the emailed link (GET, then POST) stops the escalation."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client

from escalation.models import Page, PageRecipient, PageState, PageToken
from helpdesk import clock
from helpdesk.models import OutboundMessage, Role
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket
from tests.live.harness import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_live,
]
WAIT = timedelta(minutes=1)  # the shortest wait a level can have
SLACK = timedelta(seconds=4)  # a tick, a task and a delivery on 2 loaded cores


def _mails_to(smtp, address: str) -> list:
    return [m for m in list(smtp.messages) if m["To"] == address]


def _link(message, action: str) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(rf"^{action}: https?://[^/\s]+(/\S+)", body, re.M).group(1)


def test_a_p1_pages_escalates_on_time_and_the_emailed_link_stops_it(
    processes, smtp, webhook, people
):
    first = make_agent(username="fay", email="fay@example.com", role=Role.ENGINEER)
    second = make_agent(username="sam", email="sam@example.com", role=Role.ENGINEER)
    make_policy(
        {"users": [first], "wait_minutes": 1},
        {"users": [second], "wait_minutes": 1},
        severity=1,
        repeat=1,
    )
    processes.start("worker")
    processes.start("beat")
    time.sleep(2)  # the worker is up: what is measured is the page, not Celery's start

    created = clock.now()
    ticket = make_ticket(actor=people["assignee"], organization=people["org"], severity=1)

    # Level 1 at once: the receiver's task starts the page and the email leaves the outbox.
    assert wait_for(lambda: _mails_to(smtp, "fay@example.com"), timeout=20), processes.logs()
    page = Page.objects.get(ticket=ticket)
    first_mail = OutboundMessage.objects.get(recipient="fay@example.com")
    to_outbox = first_mail.sent_at - created
    print(f"P1 commit to first page email sent: {to_outbox.total_seconds():.2f} s")
    assert to_outbox < timedelta(seconds=5)
    assert wait_for(lambda: webhook.bodies, timeout=10), "the chat webhook got the page"
    chat = webhook.bodies[0]
    assert (chat["event"], chat["data"]["notified"]) == ("page.triggered", ["fay"])
    assert chat["text"].startswith(f"🚨 Page: P1 {ticket.key}")

    # Nobody acknowledges: level 2 after its wait, not before.
    assert not _mails_to(smtp, "sam@example.com")
    assert wait_for(lambda: _mails_to(smtp, "sam@example.com"), timeout=90), processes.logs()
    level_two = PageRecipient.objects.get(page=page, level=1)
    assert WAIT <= level_two.notified_at - page.started_at <= WAIT + SLACK

    # Sam acknowledges from the emailed link: GET only asks, POST acts.
    client = Client()
    url = _link(_mails_to(smtp, "sam@example.com")[0], "Acknowledge")
    assert b"Acknowledge this page as" in client.get(url).content
    page.refresh_from_db()
    assert page.state == PageState.TRIGGERED
    assert b"Acknowledged. Nobody else will be paged." in client.post(url).content
    page.refresh_from_db()
    assert (page.state, page.acknowledged_by, page.acknowledged_via) == (
        PageState.ACKNOWLEDGED,
        second,
        "email link",
    )
    # A second POST does nothing.
    assert b"This link was already used" in client.post(url).content
    acknowledged_at = page.acknowledged_at
    page.refresh_from_db()
    assert page.acknowledged_at == acknowledged_at

    # The repeat round would have paged Fay again one wait after Sam: it does not.
    time.sleep((level_two.notified_at + WAIT + SLACK - clock.now()).total_seconds())
    assert len(_mails_to(smtp, "fay@example.com")) == 1
    assert PageRecipient.objects.filter(page=page).count() == 2

    # An expired link gets a clear page.
    resolve = _link(_mails_to(smtp, "fay@example.com")[0], "Resolve")
    PageToken.objects.filter(action="resolve").update(expires_at=clock.now())
    assert b"This link expired at" in client.post(resolve).content
    page.refresh_from_db()
    assert page.state == PageState.ACKNOWLEDGED

    # Each email left once.
    received = smtp.message_ids()
    assert len(received) == len(set(received))
