"""Polling a real Dovecot: messages are stored before they leave the mailbox, only over TLS."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections

from mail import imap, inbound
from mail.imap_tasks import imap_poll_task
from mail.models import InboundMessage
from tests.factories import OrganizationFactory, make_contact
from tests.live.harness import free_port
from tests.mail.imap_server import dovecot  # noqa: F401 - the fixture
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def mail(n: int, *, sender: str = "carol@acme.test") -> bytes:
    return (
        f"From: Carol <{sender}>\r\n"
        f"To: support@helpdesk.localhost\r\n"
        f"Subject: Problem number {n}\r\n"
        f"Message-ID: <problem-{n}@acme.test>\r\n"
        f"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Something broke, case {n}.\r\n"
    ).encode()


@pytest.fixture
def customer():
    return make_contact(
        OrganizationFactory(name="Acme", domain="acme.test"), email="carol@acme.test"
    )


@pytest.fixture
def trusted(settings, dovecot):  # noqa: F811
    settings.HELPDESK_IMAP_CA_FILE = dovecot.ca_file
    return dovecot


def test_a_poll_opens_tickets_and_empties_the_mailbox(trusted, customer):
    for n in range(3):
        trusted.append(mail(n))
    result = imap.poll(imap.parse_mailbox(trusted.url()))

    assert (result.stored, result.left, result.skipped) == (3, 0, False)
    assert trusted.count() == 0
    assert sorted(Ticket.objects.values_list("title", flat=True)) == [
        "Problem number 0",
        "Problem number 1",
        "Problem number 2",
    ]
    assert set(InboundMessage.objects.values_list("source", flat=True)) == {
        "imap:support@127.0.0.1/INBOX"
    }


def test_starttls_mailboxes_are_polled_too(trusted, customer):
    trusted.append(mail(1))
    result = imap.poll(imap.parse_mailbox(trusted.url(scheme="imap+starttls")))
    assert result.stored == 1
    assert trusted.count() == 0


def test_a_poll_takes_at_most_its_batch_oldest_first(trusted, customer):
    for n in range(3):
        trusted.append(mail(n))
    result = imap.poll(imap.parse_mailbox(trusted.url()), limit=2)
    assert result.stored == 2
    assert trusted.count() == 1
    assert sorted(Ticket.objects.values_list("title", flat=True)) == [
        "Problem number 0",
        "Problem number 1",
    ]


def test_plain_imap_is_refused_before_connecting(trusted):
    with pytest.raises(imap.PlainTextRefused, match="never plain imap://"):
        imap.parse_mailbox(trusted.url(scheme="imap"))
    with pytest.raises(ImproperlyConfigured):
        imap.configured_mailboxes(f"{trusted.url()} {trusted.url(scheme='imap')}")


def test_an_unverified_certificate_is_refused_and_nothing_leaves(settings, dovecot, customer):  # noqa: F811
    settings.HELPDESK_IMAP_CA_FILE = ""  # the self-signed certificate is not trusted
    dovecot.append(mail(1))
    with pytest.raises(ssl.SSLCertVerificationError):
        imap.poll(imap.parse_mailbox(dovecot.url()))
    assert dovecot.count() == 1
    assert not InboundMessage.objects.exists()


def test_a_message_that_cannot_be_stored_stays_in_the_mailbox(trusted, customer, monkeypatch):
    for n in range(3):
        trusted.append(mail(n))
    real_receive, calls = inbound.receive, []

    def database_gone_at_the_second(raw, *, source):
        calls.append(source)
        if len(calls) == 2:
            raise OperationalError("the database went away")
        return real_receive(raw, source=source)

    monkeypatch.setattr(inbound, "receive", database_gone_at_the_second)
    result = imap.poll(imap.parse_mailbox(trusted.url()))

    assert (result.stored, result.left) == (1, 2)
    assert trusted.count() == 2  # the one that failed and the one after it
    monkeypatch.setattr(inbound, "receive", real_receive)
    assert imap.poll(imap.parse_mailbox(trusted.url())).stored == 2
    assert Ticket.objects.count() == 3


def test_a_second_poller_of_the_same_mailbox_stands_aside(trusted, customer):
    trusted.append(mail(1))
    box = imap.parse_mailbox(trusted.url())
    other = connections.create_connection("default")  # another process's session
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [imap._lock_key(box)])
        assert cursor.fetchone()[0]
        result = imap.poll(box)
        assert result.skipped
        assert trusted.count() == 1
        cursor.execute("SELECT pg_advisory_unlock(%s)", [imap._lock_key(box)])
    other.close()
    assert imap.poll(box).stored == 1


def test_a_message_without_message_id_gets_one_from_its_content():
    box = imap.parse_mailbox("imaps://support:pw@mail.example.com/INBOX")
    bare = b"From: a@acme.test\r\nSubject: no id\r\n\r\nbody\r\n"
    once, again = imap.with_message_id(bare, box), imap.with_message_id(bare, box)
    assert once == again  # fetched again after a crash: recognised as the same message
    assert once.startswith(b"Message-ID: <")
    assert once.endswith(bare)
    assert b"@mail.example.com>" in once.split(b"\r\n")[0]
    with_id = b"Message-ID: <x@acme.test>\r\n" + bare
    assert imap.with_message_id(with_id, box) == with_id


def test_the_periodic_task_polls_every_mailbox_and_survives_one_that_is_down(
    trusted, customer, settings
):
    imap_client = trusted.client()
    imap_client.create("Billing")
    imap_client.logout()
    trusted.append(mail(1))
    trusted.append(mail(2), folder="Billing")
    unreachable = f"imaps://support:pw@127.0.0.1:{free_port()}/INBOX"
    settings.HELPDESK_IMAP_MAILBOXES = (
        f"{unreachable} {trusted.url()}, {trusted.url(folder='Billing')}"
    )

    assert imap_poll_task() == 2
    assert trusted.count() == 0
    assert trusted.count("Billing") == 0
    assert Ticket.objects.count() == 2


def test_a_server_without_starttls_never_sees_the_password(settings):
    """A server (or a man in the middle) that strips STARTTLS: the poll stops before LOGIN."""
    heard: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rwb") as stream:
            stream.write(b"* OK IMAP4rev1 ready\r\n")
            stream.flush()
            for line in stream:
                heard.append(line)
                tag = line.split(b" ", 1)[0]
                if b"CAPABILITY" in line.upper():
                    stream.write(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                else:
                    stream.write(tag + b" OK done\r\n")
                stream.flush()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    box = imap.parse_mailbox(f"imap+starttls://support:s3cret@127.0.0.1:{port}/INBOX")
    with pytest.raises(imap.PlainTextRefused, match="offers no STARTTLS"):
        imap.connect(box)
    thread.join(timeout=5)
    listener.close()
    assert heard  # it did talk to the server
    assert not any(b"s3cret" in line or b"LOGIN" in line.upper() for line in heard)
