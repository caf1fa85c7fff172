"""The customer's email of an agent's reply or of a status move: multipart, threaded.

Drawn when the outbox row is sent (helpdesk.channels calls the renderers registered here by the
notice's kind), from the ticket as it is then, so a retry sends the same message with the same
Message-ID. The subject always reads `[SUP-123] <title>`, so clients that thread by subject
keep one conversation per ticket; In-Reply-To and References name the mail we received for the
ticket and the mail we sent before this one, for those that thread by headers.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from helpdesk.models import OutboundChannel, OutboundMessage, OutboundStatus
from tickets import notifications
from tickets.choices import Status, customer_status_label
from tickets.models import Attachment, Comment, Ticket

from .markers import REPLY_MARKER
from .models import InboundMessage

# A thread's References keep its first message and its latest ones: enough for every client to
# place the mail, short enough for servers that cap header length.
MAX_REFERENCES = 20

_STATUS_LINES = {
    Status.INVESTIGATING: "Support is investigating your request.",
    Status.IN_PROGRESS: "Support is working on your request.",
    Status.WAITING_ON_CUSTOMER: "Support needs your answer to go on: reply to this email.",
    Status.RESOLVED: (
        "Support believes this is fixed. If the problem is still there, reply to this email "
        "or reopen the ticket in the portal."
    ),
    Status.CLOSED: "This ticket is closed. Reply to this email to open a new request.",
}


def reply_to_address() -> str:
    return settings.HELPDESK_MAIL_REPLY_TO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def received_message_ids(ticket_id: int) -> list[tuple]:
    """(time, Message-ID) of the mail the customer sent us about the ticket."""
    return list(
        InboundMessage.objects.filter(
            ticket_id=ticket_id, message_id__isnull=False, duplicate_of__isnull=True
        )
        .order_by("received_at", "pk")
        .values_list("received_at", "message_id")
    )


def sent_message_ids(ticket_id: int, *, before: int) -> list[tuple]:
    """(time, Message-ID) of the email we wrote about the ticket before outbox row `before`."""
    rows = (
        OutboundMessage.objects.filter(
            channel=OutboundChannel.EMAIL, payload__ticket_id=ticket_id, pk__lt=before
        )
        .exclude(status=OutboundStatus.FAILED)
        .order_by("pk")
        .only("pk", "created_at")
    )
    return [(row.created_at, row.message_id) for row in rows]


def thread_headers(message: OutboundMessage, ticket_id: int) -> dict[str, str]:
    received = received_message_ids(ticket_id)
    thread = sorted(received + sent_message_ids(ticket_id, before=message.pk))
    ids = [_angle(mid) for _, mid in thread]
    if not ids:
        return {}
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
    # We answer the customer's latest mail when there is one; else our own latest.
    parent = _angle(received[-1][1]) if received else ids[-1]
    return {"In-Reply-To": parent, "References": " ".join(ids)}


def _angle(message_id: str) -> str:
    message_id = message_id.strip()
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def _attachments(comment: Comment | None) -> list[dict]:
    if comment is None:
        return []
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    return [
        {
            "name": a.original_name,
            "size": a.size,
            "url": base + reverse("attachment_download", args=[a.pk]),
        }
        for a in Attachment.objects.filter(comment=comment, is_internal=False).order_by("pk")
    ]


def _email(message: OutboundMessage, ticket: Ticket, context: dict, *, automatic: bool):
    base = settings.HELPDESK_BASE_URL.rstrip("/")
    if ticket.is_security:
        # The playbook: no details of a security issue over unencrypted channels. The mail
        # says that something happened; the words and files stay behind the portal's login.
        context = {
            **context,
            "comment": None,
            "attachments": [],
            "status_line": "",
            "withheld": True,
        }
    # A security report's title may name the weakness: it stays out of the mail too.
    title = "Your security report" if ticket.is_security else ticket.title
    context = {
        **context,
        "ticket": ticket,
        "title": title,
        "marker": REPLY_MARKER,
        "portal_url": base + reverse("portal_ticket", args=[ticket.key]),
        "product": settings.HELPDESK_PRODUCT_NAME,
    }
    headers = {"Reply-To": reply_to_address(), **thread_headers(message, ticket.pk)}
    if automatic:
        # RFC 3834: auto-responders must not answer it; Exchange's own flag says the same.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMultiAlternatives(
        subject=f"[{ticket.key}] {title}",
        body=render_to_string("mail/email_ticket.txt", context),
        from_email=_sender(context.get("author")),
        headers=headers,
    )
    email.attach_alternative(render_to_string("mail/email_ticket.html", context), "text/html")
    return email


def _sender(author) -> str:
    """The agent's name over the support address: people answer people."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if author is not None:
        name = f"{author.display_name} ({name or settings.HELPDESK_PRODUCT_NAME})"
    return formataddr((name, address))


def _comment(pk: int | None) -> Comment | None:
    if not pk:
        return None
    return (
        Comment.objects.select_related("author", "ticket").filter(pk=pk, is_internal=False).first()
    )


def render_agent_reply(message: OutboundMessage) -> EmailMultiAlternatives | None:
    comment = _comment(message.payload.get("comment_id"))
    if comment is None:
        ticket = Ticket.objects.filter(pk=message.payload.get("ticket_id")).first()
        if ticket is not None and ticket.is_security:
            # Never the row's plain text, which quotes the reply.
            return _email(message, ticket, {"headline": "Support replied"}, automatic=False)
        return None
    context = {
        "author": comment.author,
        "headline": f"{comment.author.display_name if comment.author else 'Support'} replied",
        "comment": comment,
        "attachments": _attachments(comment),
    }
    return _email(message, comment.ticket, context, automatic=False)


def render_status(message: OutboundMessage) -> EmailMultiAlternatives | None:
    status = message.payload.get("status", "")
    ticket = Ticket.objects.filter(pk=message.payload.get("ticket_id")).first()
    if ticket is None or (status not in _STATUS_LINES and not ticket.is_security):
        return None
    # A move made with a message (waiting on you: the question) is a person writing.
    comment = _comment(message.payload.get("comment_id"))
    context = {
        "author": comment.author if comment else None,
        "headline": f"Your request is now: {customer_status_label(status).lower()}"
        if status
        else "Your request was updated",
        "status_line": _STATUS_LINES.get(status, ""),
        "comment": comment,
        "attachments": _attachments(comment),
    }
    return _email(message, ticket, context, automatic=comment is None)


RENDERERS = {notifications.AGENT_REPLY: render_agent_reply, notifications.STATUS: render_status}
