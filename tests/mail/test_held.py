"""The held-messages page: managers and admins read, retry and discard held mail; nobody else
knows it exists."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.models import Role
from mail.inbound import receive
from mail.models import InboundMessage
from tests.factories import OrganizationFactory, make_agent, make_contact

STRANGER = b"""From: Dave Doe <dave@globex.example>
To: support@helpdesk.example
Subject: Exports time out
Message-ID: <dave-1@globex.example>
Content-Type: text/html; charset=utf-8

<p>Exports time out after <b>30 s</b>.</p><script>alert(1)</script>
""".replace(b"\n", b"\r\n")


@pytest.fixture
def held(db, settings):
    settings.HELPDESK_MAIL_UNKNOWN_SENDERS = "hold"
    message = receive(STRANGER, source="test")
    assert (message.status, message.reason) == ("held", "unknown_sender")
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT, Role.ENGINEER])
def test_held_mail_is_not_there_for_others(client, held, role):
    user = make_contact() if role == Role.CUSTOMER else make_agent(role=role)
    client.force_login(user)
    for name in ("mail:held_detail", "mail:held_raw"):
        assert client.get(reverse(name, args=[held.pk])).status_code == 404
    assert client.get(reverse("mail:held")).status_code == 404
    assert client.post(reverse("mail:held_retry", args=[held.pk])).status_code == 404
    assert client.post(reverse("mail:held_discard", args=[held.pk])).status_code == 404
    assert "Held mail" not in client.get(reverse("queue" if user.is_agent_side else "portal")).text
    held.refresh_from_db()
    assert held.status == "held"


@pytest.mark.django_db
def test_held_list_and_message_for_a_manager(client, held, manager, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("mail:held"))
    assert page.status_code == 200
    assert "Exports time out" in page.text
    assert "Unknown sender" in page.text
    assert 'class="nav-count" title="1 held"' in page.text

    detail = client.get(reverse("mail:held_detail", args=[held.pk]))
    assert "dave@globex.example" in detail.text
    assert "<strong>30 s</strong>" in detail.text
    assert "<script>alert" not in detail.text

    raw = client.get(reverse("mail:held_raw", args=[held.pk]))
    assert raw.content == STRANGER
    assert raw["Content-Disposition"] == f'attachment; filename="message-{held.pk}.eml"'
    assert raw["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_retry_tickets_a_sender_whose_domain_became_a_customer(client, held, manager):
    client.force_login(manager)
    still = client.post(reverse("mail:held_retry", args=[held.pk]), follow=True)
    assert "Still held: Unknown sender" in still.text
    held.refresh_from_db()
    assert (held.status, held.decided_by, held.attempts) == ("held", manager, 2)

    OrganizationFactory(name="Globex", slug="globex-mail", domain="globex.example")
    done = client.post(reverse("mail:held_retry", args=[held.pk]), follow=True)
    assert "opened a ticket" in done.text
    held.refresh_from_db()
    assert held.status == "ticketed"
    assert held.decided_by == manager
    assert held.decided_at is not None
    assert "Exports time out" not in client.get(reverse("mail:held")).text


@pytest.mark.django_db
def test_discard_keeps_the_message_stored(client, held, manager):
    client.force_login(manager)
    client.post(reverse("mail:held_discard", args=[held.pk]))
    held.refresh_from_db()
    assert (held.status, held.decided_by) == ("discarded", manager)
    assert bytes(held.raw) == STRANGER
    again = client.post(reverse("mail:held_retry", args=[held.pk]), follow=True)
    assert "no longer held" in again.text
    assert InboundMessage.objects.get(pk=held.pk).status == "discarded"


@pytest.mark.django_db
def test_retry_and_discard_need_post_and_csrf(held, manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.get(reverse("mail:held_retry", args=[held.pk])).status_code == 405
    assert client.post(reverse("mail:held_discard", args=[held.pk])).status_code == 403
    held.refresh_from_db()
    assert held.status == "held"


@pytest.mark.django_db
def test_a_contact_answering_a_ticket_they_may_not_see_is_held(db):
    org = OrganizationFactory(domain="acme.example")
    other = OrganizationFactory(domain="globex.example")
    make_contact(org, email="anna@acme.example")
    make_contact(other, email="gil@globex.example")
    first = receive(
        b"From: anna@acme.example\r\nSubject: Broken\r\nMessage-ID: <a1@acme.example>\r\n"
        b"\r\nIt broke.\r\n",
        source="test",
    )
    reply = receive(
        b"From: gil@globex.example\r\nSubject: Re: Broken\r\nMessage-ID: <g1@globex.example>\r\n"
        b"In-Reply-To: <a1@acme.example>\r\n\r\nMe too.\r\n",
        source="test",
    )
    assert first.status == "ticketed"
    assert (reply.status, reply.reason, reply.comment_id) == ("held", "not_a_contact", None)


@pytest.mark.django_db
def test_held_list_pages_newest_first_by_keyset(client, manager):
    from datetime import timedelta

    from helpdesk import clock

    now = clock.now()
    InboundMessage.objects.bulk_create(
        InboundMessage(
            raw=b"x",
            sha256="0" * 64,
            size=1,
            subject=f"Held {i:02}",
            source="test",
            received_at=now - timedelta(minutes=i),
            status="held",
            reason="unknown_sender",
        )
        for i in range(52)
    )
    client.force_login(manager)
    first = client.get(reverse("mail:held"))
    subjects = [m.subject for m in first.context["page"].rows]
    assert subjects == [f"Held {i:02}" for i in range(50)]
    older = first.context["page"].next_cursor
    second = client.get(reverse("mail:held"), {"cursor": older})
    assert [m.subject for m in second.context["page"].rows] == ["Held 50", "Held 51"]
    assert second.context["page"].next_cursor is None
    assert client.get(reverse("mail:held"), {"cursor": "junk"}).status_code == 302


@pytest.mark.django_db
def test_mail_that_became_a_security_report_is_as_private_as_the_report(client, manager, agent):
    from tickets import services
    from tickets.models import Ticket

    make_contact(OrganizationFactory(domain="acme.example"), email="anna@acme.example")
    message = receive(
        b"From: anna@acme.example\r\nSubject: Token leak\r\nMessage-ID: <s1@acme.example>\r\n"
        b"\r\nOur API token shows up in your public logs.\r\n",
        source="test",
    )
    ticket = Ticket.objects.get(pk=message.ticket_id)
    services.ticket_update(ticket=ticket, actor=agent, changes={"is_security": True})

    client.force_login(manager)
    assert client.get(reverse("mail:held_detail", args=[message.pk])).status_code == 404
    assert client.get(reverse("mail:held_raw", args=[message.pk])).status_code == 404
    client.force_login(make_agent(username="root", role=Role.ADMIN))
    assert client.get(reverse("mail:held_raw", args=[message.pk])).status_code == 200
