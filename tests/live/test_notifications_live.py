"""Who is told, through a real worker, Redis and SMTP server: a portal P1 nobody owns reaches the
triage team; an assignment, a customer reply and an @mention each tell their person once, in the
bell and by email per preference; the customer hears of the status, never of the note."""

from __future__ import annotations

from collections import Counter

import pytest

from helpdesk import notifications
from helpdesk.models import Notification, OutboundMessage
from tests.factories import TeamFactory, make_agent, make_contact, make_ticket
from tests.live.harness import wait_for
from tickets import services
from tickets.choices import Status

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_live,
]


def test_each_notice_reaches_its_person_once_through_the_outbox(processes, smtp, org_a):
    lead = make_agent(username="tess", email="tess@example.com")
    triage = TeamFactory(name="Front line", slug="front-line", is_triage=True, lead=lead)
    make_agent(username="tom", email="tom@example.com", teams=[triage])
    tia = make_agent(username="tia", email="tia@example.com", teams=[triage])
    notifications.email_preferences_set(user=tia, email_kinds=set())  # the bell only
    ana = make_agent(username="ana", email="ana@example.com")
    bob = make_agent(username="bob", email="bob@example.com")
    customer = make_contact(org_a, username="casey", email="casey@example.com")
    processes.start("worker")

    ticket = make_ticket(
        actor=customer,
        organization=org_a,
        requester=customer,
        channel="portal",
        severity=1,
        title="Checkout fails for every card",
    )
    services.ticket_assign(ticket=ticket, assignee=ana, actor=lead)
    services.comment_add(ticket=ticket, author=customer, body="Still failing, 40 orders lost.")
    services.comment_add(
        ticket=ticket, author=ana, body="@bob is the card gateway up? @casey", is_internal=True
    )
    services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=ana)

    expected = Counter(
        {
            "tess@example.com": 1,  # new ticket (triage lead)
            "tom@example.com": 1,  # new ticket (triage member); tia: bell only
            "ana@example.com": 2,  # assigned, customer reply
            "bob@example.com": 1,  # mention
            "casey@example.com": 1,  # status
        }
    )
    # A P1 also pages the on-call (escalation): only the notices of tickets/notifications.py
    # (dedup keys of a ticket's or a comment's occurrence) are counted here.
    ours = OutboundMessage.objects.filter(channel="email", dedup_key__regex=r"^(ticket|comment):")
    assert wait_for(lambda: ours.filter(status="sent").count() >= 6, timeout=40), (
        list(OutboundMessage.objects.values_list("dedup_key", "status", "attempts")),
        processes.logs(),
    )
    assert wait_for(lambda: not OutboundMessage.objects.exclude(status="sent").exists(), timeout=20)
    ids = {m.message_id: m.recipient for m in ours}
    delivered = [m for m in smtp.messages if m["Message-ID"] in ids]
    assert Counter(m["To"] for m in delivered) == expected, "\n".join(
        f"{m['To']}: {m['Subject']}" for m in smtp.messages
    )
    received = smtp.message_ids()
    assert len(received) == len(set(received))  # each outbox row delivered once
    assert set(ids) <= set(received)
    mention = next(m for m in delivered if m["To"] == "bob@example.com")
    assert mention["Subject"] == f"{ana.display_name} mentioned you in a note on {ticket.key}"

    ours_in_bell = Notification.objects.filter(dedup_key__regex=r"^(ticket|comment):")
    bells = Counter(ours_in_bell.values_list("user__username", "kind"))
    assert bells == Counter(
        {
            ("tess", "new_ticket"): 1,
            ("tom", "new_ticket"): 1,
            ("tia", "new_ticket"): 1,
            ("ana", "assigned"): 1,
            ("ana", "customer_reply"): 1,
            ("bob", "mention"): 1,
            ("casey", "status"): 1,
        }
    )
    assert not Notification.objects.filter(user=customer, kind="mention").exists()
    assert bob.notifications.get().url == ticket.get_absolute_url()
