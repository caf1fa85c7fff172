"""Every message shape of the corpus ends where it should, and none is lost: each is stored raw
(byte for byte) whatever becomes of it."""

from __future__ import annotations

import pytest

from mail.inbound import receive
from mail.models import InboundMessage
from tests.mail.conftest import corpus_message
from tickets.models import Attachment, Comment, Ticket

# file, status, reason, words the ticket or comment shows, words it must not show, files kept
CASES = [
    ("multipart_alternative.eml", "ticketed", "", ["delayed by about ten minutes"], [], []),
    ("nested_multipart.eml", "ticketed", "", ["stops at 500 rows"], [], ["export-log.pdf"]),
    (
        "outlook_html_only.eml",
        "ticketed",
        "",
        ["still succeed", "**old key**", "Old key revoked", "Is this expected?"],
        ["MsoNormal", "font-family", "Cambria", "shapedefaults", "behavior", "<o:p>"],
        [],
    ),
    (
        "gmail_reply_html.eml",
        "commented",
        "",
        ["request id req\\_7f3a", "<details>", "delayed by about ten minutes"],
        ["gmail_quote"],
        [],
    ),
    ("inline_image.eml", "ticketed", "", ["usage chart is blank"], ["cid:"], ["screenshot.png"]),
    ("iso_8859_1_qp.eml", "ticketed", "", ["Grüße aus München", "façade", "Übersetzung"], [], []),
    ("windows_1252.eml", "ticketed", "", ["“production”", "€40", "–"], [], []),
    ("mislabelled_latin1.eml", "ticketed", "", ["“production”", "€40"], ["\x93", "\x80"], []),
    ("shift_jis_base64.eml", "ticketed", "", ["APIの応答が遅いです", "API応答遅延"], [], []),
    (
        "forwarded.eml",
        "ticketed",
        "",
        ["Forwarding what our customer got", "card_declined_by_gateway", "billing@shop.example"],
        ["<details>"],
        ["original.eml"],
    ),
    (
        "forwarded_inline.eml",
        "ticketed",
        "",
        ["Our finance team got this", "charged 490.00 EUR for invoice INV-2231"],
        ["<details>"],
        [],
    ),
    ("auto_reply.eml", "ignored", "auto_reply", [], [], []),
    ("bounce_dsn.eml", "ignored", "bounce", [], [], []),
    ("list_message.eml", "ignored", "list", [], [], []),
    ("our_own_mail_back.eml", "ignored", "loop", [], [], []),
    (
        "huge_attachment.eml",
        "ticketed",
        "",
        ["dump and a short log", "Not kept: “dump.bin” (0.1 MB)"],
        [],
        ["short.log"],
    ),
    ("malformed_headers.eml", "ticketed", "", ["Login fails with error 401", "Grüße"], [], []),
    (
        "hostile_headers.eml",
        "ticketed",
        "",
        ["Nul in the subject", "A body with a NUL byte"],
        ["\x00"],
        ["log.txt"],
    ),
    ("stranger_reply.eml", "held", "not_a_contact", [], [], []),
    ("duplicate_message_id.eml", "ignored", "duplicate", [], [], []),
    (
        "reply_subject_key.eml",
        "commented",
        "",
        ["Still happening today", "<details>", "We are looking into it"],
        [],
        [],
    ),
    (
        "reply_references.eml",
        "commented",
        "",
        ["the workaround helped", "Anna Meyer | Platform lead"],
        [],
        [],
    ),
    ("new_contact_from_domain.eml", "ticketed", "", ["invite button does nothing"], [], []),
    ("unknown_sender.eml", "held", "unknown_sender", [], [], []),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status", "reason", "shows", "hides", "files"), CASES, ids=[c[0] for c in CASES]
)
def test_corpus_message_ends_where_it_should(
    mailbox, settings, name, status, reason, shows, hides, files
):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 64 * 1024  # dump.bin is 100 KB
    raw = corpus_message(name, mailbox)
    tickets_before = Ticket.objects.count()
    comments_before = Comment.objects.count()

    message = receive(raw, source="test")

    message.refresh_from_db()
    assert (message.status, message.reason) == (status, reason), message.error
    assert bytes(message.raw) == raw  # stored as it came
    assert InboundMessage.objects.count() == 2  # the fixture's first mail and this one
    new_tickets = Ticket.objects.count() - tickets_before
    new_comments = Comment.objects.count() - comments_before
    assert (new_tickets, new_comments) == {
        "ticketed": (1, 0),
        "commented": (0, 1),
    }.get(status, (0, 0))
    if status == "ticketed":
        ticket = Ticket.objects.get(pk=message.ticket_id)
        assert ticket.channel == "email"
        text = f"{ticket.title}\n{ticket.description}"
        kept = Attachment.objects.filter(ticket=ticket, comment=None)
    elif status == "commented":
        comment = Comment.objects.get(pk=message.comment_id)
        assert comment.ticket_id == mailbox["ticket"].pk
        assert not comment.is_internal
        assert comment.author == mailbox["anna"]
        text = comment.body
        kept = comment.attachments.all()
    else:
        text, kept = "", Attachment.objects.none()
    for words in shows:
        assert words in text
    for words in hides:
        assert words not in text
    assert sorted(kept.values_list("original_name", flat=True)) == sorted(files)


@pytest.mark.django_db
def test_a_bounce_names_the_mail_it_returns_and_its_ticket(mailbox):
    message = receive(corpus_message("bounce_dsn.eml", mailbox), source="test")
    outbox, ticket = mailbox["outbox"], mailbox["ticket"]
    assert message.error == f"Bounce of outbox message #{outbox.pk} about {ticket.key}."
    assert message.ticket_id is None  # never part of the ticket's mail thread


@pytest.mark.django_db
def test_a_message_that_fails_to_ingest_is_held_with_the_error_then_retried(
    mailbox, monkeypatch, manager
):
    from mail import inbound, routing

    def broken(**kwargs):
        raise RuntimeError("routing exploded")

    monkeypatch.setattr(routing, "referenced_ticket", broken)
    message = receive(corpus_message("multipart_alternative.eml", mailbox), source="test")
    assert (message.status, message.reason, message.ticket_id) == ("held", "error", None)
    assert message.error.startswith("RuntimeError: routing exploded")
    assert "mail/inbound.py" in message.error  # where it happened
    monkeypatch.undo()

    message = inbound.retry(message=message, actor=manager)
    assert (message.status, message.attempts) == ("ticketed", 2)


@pytest.mark.django_db
def test_a_reply_to_a_closed_ticket_opens_a_new_one_that_names_it(mailbox, agent):
    from tickets import services

    ticket = mailbox["ticket"]
    for status in ("investigating", "resolved", "closed"):
        ticket = services.ticket_transition(ticket=ticket, to=status, actor=agent)
    message = receive(corpus_message("reply_subject_key.eml", mailbox), source="test")
    assert message.status == "ticketed"
    opened = Ticket.objects.get(pk=message.ticket_id)
    assert opened.pk != ticket.pk
    assert opened.description.startswith(f"(Written as a reply to {ticket.key}, which is closed.)")


@pytest.mark.django_db
def test_headers_that_cannot_be_stored_never_keep_the_message_from_being_stored(
    mailbox, monkeypatch
):
    from mail import envelope

    def unstorable(raw):
        return {"message_id": "<x@y>", "from_address": "a" * 400, "from_name": "", "subject": ""}

    monkeypatch.setattr(envelope, "summary", unstorable)
    raw = corpus_message("multipart_alternative.eml", mailbox)
    message = receive(raw, source="test")
    assert (message.status, bytes(message.raw)) == ("ticketed", raw)
    assert message.from_address == "anna@acme.example"  # read again when it was ingested
