"""The customer's email of a reply or a status move: parts, threading headers, one per event."""

from __future__ import annotations

import email
import os
from email import policy
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk import channels
from helpdesk.models import OutboundMessage
from mail.inbound import receive
from mail.markers import REPLY_MARKER
from tests.factories import OrganizationFactory, make_agent, make_contact
from tickets import notifications, services
from tickets.choices import Status
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", domain="acme.test")


@pytest.fixture
def customer(org):
    return make_contact(org, username="carol", email="carol@acme.test", first_name="Carol")


@pytest.fixture
def agent():
    return make_agent(username="ana", email="ana@support.test", first_name="Ana", last_name="Ng")


CUSTOMER_MAIL = (
    b"From: Carol <carol@acme.test>\r\n"
    b"To: support@helpdesk.localhost\r\n"
    b"Subject: Exports time out\r\n"
    b"Message-ID: <first-mail@acme.test>\r\n"
    b"Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Our CSV exports time out after 30 seconds since this morning.\r\n"
)


@pytest.fixture
def mailed_ticket(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = receive(CUSTOMER_MAIL, source="test")
    return Ticket.objects.get(pk=row.ticket_id)


def customer_emails(customer) -> list[OutboundMessage]:
    """The customer's notices of replies and status moves (not, say, a satisfaction survey)."""
    return list(
        OutboundMessage.objects.filter(
            channel="email",
            recipient=customer.email,
            payload__kind__in=[notifications.AGENT_REPLY, notifications.STATUS],
        ).order_by("pk")
    )


def sent(row: OutboundMessage) -> email.message.EmailMessage:
    """The message exactly as it would go to the relay, parsed back."""
    raw = channels._email(row).message().as_bytes()
    return email.message_from_bytes(raw, policy=policy.default)


def capture(name: str, html: str) -> None:
    """Keeps the HTML part to look at in a browser, when MAIL_CAPTURE_DIR is set."""
    if os.environ.get("MAIL_CAPTURE_DIR"):
        Path(os.environ["MAIL_CAPTURE_DIR"], f"{name}.html").write_text(html)


def parts(msg) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}


def test_an_agent_reply_is_multipart_threaded_and_keyed(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    ticket = mailed_ticket
    upload = SimpleUploadedFile("trace.log", b"GET /exports 504", content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(
            ticket=ticket,
            author=agent,
            body="Thanks Carol. **We raised the limit**; try again.",
            files=[upload],
        )
    [row] = customer_emails(customer)
    msg = sent(row)

    assert msg["Subject"] == f"[{ticket.key}] Exports time out"
    assert msg["Message-ID"] == row.message_id == f"<outbox-{row.pk}@helpdesk.localhost>"
    assert msg["In-Reply-To"] == "<first-mail@acme.test>"
    assert msg["References"] == "<first-mail@acme.test>"
    assert msg["Reply-To"] == "support@helpdesk.localhost"
    assert msg["From"] == '"Ana Ng (Helpdesk)" <support@helpdesk.localhost>'
    assert msg["Auto-Submitted"] is None  # a person wrote it: auto-replies may answer
    assert msg.get_content_type() == "multipart/alternative"
    body = parts(msg)
    assert set(body) == {"text/plain", "text/html"}
    text, html = body["text/plain"], body["text/html"]
    assert text.startswith(REPLY_MARKER)
    assert "**We raised the limit**" in text  # the Markdown source reads well as text
    assert "<strong>We raised the limit</strong>" in html
    assert REPLY_MARKER in html
    attachment = comment.attachments.get()
    download = f"http://127.0.0.1:8000/attachments/{attachment.pk}/"
    assert download in text
    assert f'href="{download}"' in html
    portal = f"http://127.0.0.1:8000/portal/tickets/{ticket.key}/"
    assert portal in text
    assert portal in html


def test_reply_html_is_the_sanitised_rendering(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            ticket=mailed_ticket, author=agent, body="Try <script>alert(1)</script> this."
        )
    html = parts(sent(customer_emails(customer)[0]))["text/html"]
    assert "<script>" not in html


def test_a_status_notice_is_automatic_and_threads_after_our_earlier_mail(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    ticket = mailed_ticket
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=agent, body="Looking into it.")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=agent)
    first, _, resolved = customer_emails(customer)
    msg = sent(resolved)

    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Subject"] == f"[{ticket.key}] Exports time out"
    assert msg["In-Reply-To"] == "<first-mail@acme.test>"
    refs = msg["References"].split()
    assert refs[0] == "<first-mail@acme.test>"
    assert first.message_id in refs
    assert resolved.message_id not in refs
    assert "reply to this email or reopen the ticket in the portal" in parts(msg)["text/plain"]


def test_a_move_with_a_question_is_one_mail_from_a_person(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    ticket = mailed_ticket
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(
            ticket=ticket,
            to=Status.WAITING_ON_CUSTOMER,
            actor=agent,
            message="Which export format do you use?",
        )
    rows = customer_emails(customer)
    assert len(rows) == 2  # investigating, then the question: one mail for the move
    msg = sent(rows[-1])
    assert msg["Auto-Submitted"] is None
    assert "Which export format do you use?" in parts(msg)["text/plain"]
    capture("waiting-on-you", parts(msg)["text/html"])
    assert "Your request is now: waiting on you" in parts(msg)["text/plain"]


def test_internal_notes_and_the_customers_own_replies_send_nothing(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            ticket=mailed_ticket, author=agent, body="Customer is on the old plan", is_internal=True
        )
        services.comment_add(ticket=mailed_ticket, author=customer, body="Any news?")
    assert customer_emails(customer) == []


def test_deciding_twice_sends_one_mail(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    from tickets import events

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(ticket=mailed_ticket, author=agent, body="Fixed.")
    # The same signal handled again (a redelivered task, a second receiver run).
    events.comment_added.send(
        sender="tickets",
        ticket_id=mailed_ticket.pk,
        comment_id=comment.pk,
        actor_id=agent.pk,
        is_internal=False,
    )
    assert len(customer_emails(customer)) == 1


def test_a_row_whose_comment_is_gone_sends_the_text_it_was_written_with(
    mailed_ticket, customer, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(ticket=mailed_ticket, author=agent, body="Fixed now.")
    [row] = customer_emails(customer)
    row.payload["comment_id"] = comment.pk + 1000  # gone since the row was written
    msg = sent(row)
    assert msg.get_content_type() == "text/plain"
    assert "Fixed now." in msg.get_content()


def test_a_security_report_is_never_discussed_by_email(
    org, customer, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            actor=customer,
            organization=org,
            requester=customer,
            title="SQL injection in the login form",
            description="Typing ' OR 1=1 logs in as anyone.",
            is_security=True,
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            ticket=ticket, author=agent, body="Confirmed: the `username` field is injectable."
        )
    [row] = customer_emails(customer)
    msg = sent(row)
    text, html = parts(msg)["text/plain"], parts(msg)["text/html"]

    assert msg["Subject"] == f"[{ticket.key}] Your security report"
    for part in (text, html, msg["Subject"]):
        assert "injectable" not in part
        assert "SQL injection" not in part
    assert "not discussed by email" in text
    assert REPLY_MARKER not in text  # nothing invites an answer by email
    capture("security-reply", html)
    assert f"/portal/tickets/{ticket.key}/" in html
