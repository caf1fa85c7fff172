"""The email channel end to end, every part real: a customer's mail in Dovecot opens a ticket
(beat polls the mailbox through a worker), the agent's reply reaches an SMTP server (aiosmtpd)
threaded under the customer's mail, and the customer's answer to it lands on the same ticket."""

from __future__ import annotations

import os
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from mail.markers import REPLY_MARKER
from tests.factories import OrganizationFactory, make_agent, make_contact
from tests.live.harness import Processes, wait_for
from tests.mail.imap_server import dovecot  # noqa: F401 - the fixture
from tickets import services
from tickets.models import Comment, Ticket

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.celery_live,
]

FIRST = (
    b"From: Carol Diaz <carol@acme.test>\r\n"
    b"To: support@helpdesk.localhost\r\n"
    b"Subject: Webhook deliveries stopped\r\n"
    b"Message-ID: <webhooks-stopped@acme.test>\r\n"
    b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"No webhook has reached our endpoint since 09:40 UTC.\r\n"
)


def answer(to_message_id: str, subject: str) -> bytes:
    """Carol's reply from her mail client: our mail quoted under the marker."""
    return (
        "From: Carol Diaz <carol@acme.test>\r\n"
        "To: support@helpdesk.localhost\r\n"
        f"Subject: Re: {subject}\r\n"
        "Message-ID: <webhooks-answer@acme.test>\r\n"
        f"In-Reply-To: {to_message_id}\r\n"
        f"References: <webhooks-stopped@acme.test> {to_message_id}\r\n"
        "Date: Fri, 04 Dec 2026 10:20:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "They are flowing again, thank you!\r\n\r\n"
        "On Fri, 4 Dec 2026 at 10:10, Support wrote:\r\n"
        f"> {REPLY_MARKER}\r\n"
        "> We replayed the queue.\r\n"
    ).encode()


def test_mail_in_reply_out_threaded_answer_back_on_the_ticket(
    tmp_path,
    smtp,
    dovecot,  # noqa: F811
):
    carol = make_contact(
        OrganizationFactory(name="Acme", domain="acme.test"),
        username="carol",
        email="carol@acme.test",
    )
    agent = make_agent(username="ana", email="ana@support.test", first_name="Ana")
    processes = Processes(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        HELPDESK_IMAP_MAILBOXES=dovecot.url(),
        HELPDESK_IMAP_CA_FILE=dovecot.ca_file,
        HELPDESK_IMAP_POLL_SECONDS="1",
    )
    try:
        processes.start("worker")
        processes.start("beat")
        dovecot.append(FIRST)

        assert wait_for(lambda: Ticket.objects.exists(), timeout=60), processes.logs()
        ticket = Ticket.objects.get()
        assert (ticket.title, ticket.requester_id, ticket.channel) == (
            "Webhook deliveries stopped",
            carol.pk,
            "email",
        )
        assert wait_for(lambda: dovecot.count() == 0, timeout=30)

        services.comment_add(
            ticket=ticket, author=agent, body="We replayed the queue: **all 212** went out."
        )
        assert wait_for(lambda: smtp.messages, timeout=60), processes.logs()
        # One mail for the reply (a send retried after a slow relay is the same Message-ID).
        assert len(set(smtp.message_ids())) == 1
        delivered = smtp.messages[0]
        reply = BytesParser(policy=policy.default).parsebytes(delivered.as_bytes())
        assert reply["To"] == "carol@acme.test"
        assert reply["Subject"] == f"[{ticket.key}] Webhook deliveries stopped"
        assert reply["In-Reply-To"] == "<webhooks-stopped@acme.test>"
        assert reply["References"] == "<webhooks-stopped@acme.test>"
        assert reply.get_content_type() == "multipart/alternative"
        html = reply.get_body(("html",)).get_content()
        assert "<strong>all 212</strong>" in html
        if os.environ.get("MAIL_CAPTURE_DIR"):  # to look at it in a browser
            Path(os.environ["MAIL_CAPTURE_DIR"], "agent-reply.html").write_text(html)

        dovecot.append(answer(reply["Message-ID"], reply["Subject"]))
        assert wait_for(
            lambda: Comment.objects.filter(ticket=ticket, author=carol).exists(), timeout=60
        ), processes.logs()
        # The poller removes a message from the mailbox just after the comment commits.
        assert wait_for(lambda: dovecot.count() == 0, timeout=30), processes.logs()
    finally:
        processes.stop_all()

    comment = Comment.objects.get(ticket=ticket, author=carol)
    assert "They are flowing again, thank you!" in comment.body
    assert not comment.is_internal
    assert Ticket.objects.count() == 1
    assert dovecot.count() == 0
