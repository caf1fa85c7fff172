"""The page rounds' ledger finds what a crash could cost: a P1 without its page, a level that
never paged, a person's email for one step received twice, and a step after an acknowledgement.

Pages are started and stepped here by the services at chosen times; emails are "received" by
handing the SMTP sink what the outbox would have sent.
"""

from __future__ import annotations

import email
from datetime import timedelta

import pytest

from escalation.models import Page, PageReason
from escalation.paging import services
from helpdesk import clock
from helpdesk.models import OutboundMessage, OutboundStatus, Role
from tests.crash.page_ledger import page_tally
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels():
    first = make_agent(username="fay", email="fay@example.com", role=Role.ENGINEER)
    second = make_agent(username="sam", email="sam@example.com", role=Role.ENGINEER)
    make_policy({"users": [first]}, {"users": [second]}, severity=1, page_on_breach=False)
    return [[first], [second]]


@pytest.fixture
def ticket(people, levels):
    return make_ticket(actor=people["assignee"], organization=people["org"], severity=1)


def _receive(smtp, times: int = 1) -> None:
    """Every pending page email is sent and reaches the SMTP sink `times` times."""
    for message in OutboundMessage.objects.filter(dedup_key__startswith="page:"):
        if message.status != OutboundStatus.SENT:
            message.status, message.sent_at = OutboundStatus.SENT, clock.now()
            message.save(update_fields=["status", "sent_at"])
        for _ in range(times):
            smtp.messages.append(email.message_from_string(f"Message-ID: {message.message_id}\n\n"))


def _start(ticket) -> Page:
    return services.page_start(
        ticket=ticket, reason=PageReason.SEVERITY, actor=None, now=clock.now()
    )


def test_a_page_stepped_to_its_last_level_with_each_email_once_is_clean(ticket, levels, smtp):
    page = _start(ticket)
    services.page_step(page=page, now=clock.now())
    _receive(smtp)

    result = page_tally([ticket], levels, smtp, ticks=[clock.now()])

    assert result.clean, result.causes


def test_a_p1_without_its_page_is_a_lost_event(ticket, levels, smtp):
    result = page_tally([ticket], levels, smtp, ticks=[clock.now() + timedelta(seconds=5)])

    assert result.counts["lost_events"] == 1
    assert "no page, though the engine ticked" in result.causes[0]


def test_an_unacknowledged_page_that_never_stepped_lost_its_second_level(ticket, levels, smtp):
    _start(ticket)
    _receive(smtp)

    result = page_tally([ticket], levels, smtp, ticks=[clock.now()])

    assert result.counts["lost_events"] == 1
    assert "level 2 never paged sam" in result.causes[0]


def test_an_email_of_one_step_received_twice_is_a_duplicate(ticket, levels, smtp):
    page = _start(ticket)
    services.page_step(page=page, now=clock.now())
    _receive(smtp, times=2)

    result = page_tally([ticket], levels, smtp, ticks=[clock.now()])

    assert result.counts["duplicated_messages"] == 2


def test_a_step_after_the_acknowledgement_is_untimely(ticket, levels, smtp):
    page = _start(ticket)
    services.page_acknowledge(page=page, actor=levels[0][0], via="test", now=clock.now())
    # What the engine must never do: step a page that was acknowledged.
    page.refresh_from_db()
    services.page_step(page=page, now=clock.now() + timedelta(seconds=1))
    _receive(smtp)

    result = page_tally([ticket], levels, smtp, ticks=[clock.now()])

    assert result.counts["untimely_events"] >= 1
    assert "then paged level 2" in " ".join(result.causes)


def test_an_acknowledgement_before_the_step_owes_no_second_level(ticket, levels, smtp):
    page = _start(ticket)
    services.page_acknowledge(page=page, actor=levels[0][0], via="test", now=clock.now())
    _receive(smtp)

    result = page_tally([ticket], levels, smtp, ticks=[clock.now()])

    assert result.clean, result.causes
