"""Mail in: every message is stored raw in a transaction of its own first, then ingested in one
transaction (a ticket, a comment, ignored with the reason, or held for review). A message that
fails to parse or ingest stays held with the error; nothing that was stored is ever lost.

`receive` is the one way in, for the mail server's pipe (`manage.py ingest_email`) and the IMAP
poller alike.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, transaction

from helpdesk import clock
from helpdesk.errors import DomainError
from helpdesk.models import OutboundMessage, User
from tickets import services
from tickets.choices import Channel
from tickets.choices import Status as TicketStatus
from tickets.limits import MAX_COMMENT_CHARS
from tickets.models import Ticket

from . import envelope, noise, quotes, routing
from .models import InboundMessage, Reason, Status
from .parsing import ParsedMessage, parse

log = logging.getLogger(__name__)

UNKNOWN_SENDERS_CREATE = "create"
UNKNOWN_SENDERS_HOLD = "hold"
# Room kept under the comment limit for the notes that follow the text (files not kept).
_NOTES_ROOM = 2_000


def receive(raw: bytes, *, source: str) -> InboundMessage:
    """Store `raw` (committed on return), then ingest it. Returns the stored row in its final
    state. Raises only when the message could not be stored (the caller keeps it and retries);
    a failure after that leaves the row held with the error."""
    message = store(raw, source=source)
    try:
        if message.status == Status.IGNORED and message.duplicate_of_id:
            original = InboundMessage.objects.get(pk=message.duplicate_of_id)
            if original.status == Status.RECEIVED:
                # The first copy was stored but never ingested (the process died in between).
                ingest(original)
            return message
        return ingest(message)
    except Exception:  # noqa: BLE001 - stored: the engine's mail module finishes it
        log.exception("Inbound message %s is stored; its ingest is left to the engine", message.pk)
        return message


def store(raw: bytes, *, source: str) -> InboundMessage:
    """The raw message in its own committed transaction, with the few headers the held list
    shows. A Message-ID seen before is stored too, as an ignored duplicate of the first."""
    now = clock.now()
    fields = envelope.summary(raw)
    row = InboundMessage(
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        source=source[:100],
        received_at=now,
        **fields,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                row.save()
                return row
        except (DataError, ValueError):
            # Headers the summary could not make storable: the raw message matters, not them.
            row.pk, row.from_address, row.from_name, row.subject = None, "", "", ""
            row.message_id = None
            row.save()
            return row
        except IntegrityError:
            if not row.message_id:
                raise
        row.pk = None
        row.duplicate_of_id = (
            InboundMessage.objects.filter(message_id=row.message_id, duplicate_of__isnull=True)
            .values_list("pk", flat=True)
            .first()
        )
        row.status, row.reason, row.processed_at = Status.IGNORED, Reason.DUPLICATE, now
        row.save()
        return row


def ingest(message: InboundMessage, *, unknown_senders: str | None = None) -> InboundMessage:
    """Route a stored message in one transaction. Only a received or held message is routed;
    one already routed is returned as it is, so running this twice never tickets twice."""
    try:
        with transaction.atomic():
            locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
            if locked.status not in (Status.RECEIVED, Status.HELD):
                return locked
            locked.attempts += 1
            _route(locked, unknown_senders=unknown_senders, now=clock.now())
            locked.save()
            return locked
    except Exception as exc:  # noqa: BLE001 - held with the error rather than lost
        log.exception("Inbound message %s could not be ingested", message.pk)
        return _hold_with_error(message.pk, exc)


def _hold_with_error(pk: int, exc: BaseException) -> InboundMessage:
    # The error first, then where it happened (the innermost frames, the product's among them).
    frames = "".join(traceback.format_exception(exc, limit=-12))
    summary = f"{type(exc).__name__}: {exc}\n\n{frames[-4000:]}"
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().get(pk=pk)
        row.status, row.reason, row.error = Status.HELD, Reason.ERROR, summary
        if not row.from_address and not row.subject:
            # Stored by the pipe, which reads no more than the Message-ID: the list shows these.
            for name, value in envelope.summary(bytes(row.raw)).items():
                setattr(row, name, value or getattr(row, name))
        row.attempts += 1
        row.processed_at = clock.now()
        row.save()
    return row


def _route(message: InboundMessage, *, unknown_senders: str | None, now: datetime) -> None:
    parsed = parse(bytes(message.raw))
    message.from_address, message.from_name = parsed.from_address, parsed.from_name
    message.subject = parsed.subject[:500]
    message.processed_at = now
    message.error = ""
    why = noise.reason(parsed)
    if why is not None:
        _ignore(message, parsed, why)
        return
    if not parsed.from_address:
        _hold(message, Reason.NO_SENDER)
        return
    user = routing.sender_user(parsed.from_address)
    ticket = routing.referenced_ticket(
        in_reply_to=parsed.in_reply_to, references=parsed.references, subject=parsed.subject
    )
    if ticket is not None:
        if user is None or not routing.may_see(user, ticket):
            _hold(message, Reason.NOT_A_CONTACT, f"Matched {ticket.key}.")
            return
        if ticket.status != TicketStatus.CLOSED:
            _comment(message, parsed, ticket=ticket, author=user, now=now)
            return
        _open(message, parsed, user=user, closed=ticket, now=now)
        return
    if user is None:
        policy = unknown_senders or settings.HELPDESK_MAIL_UNKNOWN_SENDERS
        organization = routing.organization_for_domain(parsed.from_address)
        if policy != UNKNOWN_SENDERS_CREATE or organization is None:
            _hold(message, Reason.UNKNOWN_SENDER)
            return
        user = services.contact_create(
            email=parsed.from_address, name=parsed.from_name, organization=organization
        )
    if getattr(user, "contact", None) is None:
        # An agent writing to the support address is not a customer with a problem.
        _hold(message, Reason.UNKNOWN_SENDER, "The sender is not a customer contact.")
        return
    _open(message, parsed, user=user, closed=None, now=now)


def _ignore(message: InboundMessage, parsed: ParsedMessage, why: str) -> None:
    message.status, message.reason = Status.IGNORED, why
    if why == Reason.BOUNCE:
        # Named in the record, not linked: a bounce's Message-ID must never join a ticket's thread.
        ids = noise.bounced_outbox_ids(parsed)
        payloads = dict(OutboundMessage.objects.filter(pk__in=ids).values_list("pk", "payload"))
        bounced = []
        for pk in ids:
            ticket_id = routing.ticket_id_from_payload(payloads.get(pk) or {})
            ticket = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
            bounced.append(f"outbox message #{pk}" + (f" about {ticket.key}" if ticket else ""))
        if bounced:
            message.error = "Bounce of " + ", ".join(bounced) + "."


def _hold(message: InboundMessage, why: str, detail: str = "") -> None:
    message.status, message.reason, message.error = Status.HELD, why, detail


def _comment(
    message: InboundMessage, parsed: ParsedMessage, *, ticket: Ticket, author: User, now
) -> None:
    body, files = _content(parsed)
    comment = services.comment_add(ticket=ticket, author=author, body=body, files=files, now=now)
    message.status, message.reason = Status.COMMENTED, ""
    message.ticket_id, message.comment_id = ticket.pk, comment.pk


def _open(
    message: InboundMessage, parsed: ParsedMessage, *, user: User, closed: Ticket | None, now
) -> None:
    body, files = _content(parsed)
    if closed is not None:
        body = f"(Written as a reply to {closed.key}, which is closed.)\n\n{body}"
    title = parsed.subject.strip() or body.strip().splitlines()[0][:80] or "(no subject)"
    ticket = services.ticket_create(
        actor=user,
        requester=user,
        organization=user.contact.organization,
        title=title[:200],
        description=body,
        channel=Channel.EMAIL,
        files=files,
        now=now,
    )
    message.status, message.reason, message.ticket_id = Status.TICKETED, "", ticket.pk


def _content(parsed: ParsedMessage) -> tuple[str, list[SimpleUploadedFile]]:
    """The Markdown of the comment or description, and the files within the upload limit. A file
    over the limit is named in the text as not kept (the raw message still holds it)."""
    reply, folded = quotes.split(parsed.text, subject=parsed.subject)
    for forwarded in parsed.forwarded:
        if forwarded:
            reply = f"{reply}\n\n---\n**Forwarded message**\n\n{forwarded}".strip()
    limit = settings.HELPDESK_ATTACHMENT_MAX_BYTES
    files, notes = [], []
    for item in parsed.attachments:
        if len(item.data) > limit:
            notes.append(
                f"- Not kept: “{item.name}” ({len(item.data) / 1_048_576:.1f} MB) is larger than "
                f"the {limit / 1_048_576:.0f} MB attachment limit; it stays in the stored e-mail."
            )
            continue
        files.append(SimpleUploadedFile(item.name, item.data, content_type=item.content_type))
    body = quotes.with_folded(reply, folded)
    if len(body) > MAX_COMMENT_CHARS - _NOTES_ROOM:
        whole = (reply + ("\n\n" + folded if folded else "")).encode()
        files.append(SimpleUploadedFile("message.txt", whole, content_type="text/plain"))
        body = reply[: MAX_COMMENT_CHARS - _NOTES_ROOM].rstrip() + (
            "\n\n(The message is longer than a comment holds; all of it is in message.txt.)"
        )
    if notes:
        body = f"{body}\n\n" + "\n".join(notes)
    if not body.strip():
        body = "(The e-mail has no text; see its attachments.)" if files else "(Empty e-mail.)"
    return body, files


@transaction.atomic
def retry(*, message: InboundMessage, actor: User) -> InboundMessage:
    """Route a held message again, as an admin who reviewed it: an unknown sender from an
    organization's domain becomes its contact. Held again when it still cannot go anywhere."""
    _decide(message, actor=actor)
    return ingest(message, unknown_senders=UNKNOWN_SENDERS_CREATE)


@transaction.atomic
def discard(*, message: InboundMessage, actor: User) -> InboundMessage:
    """Take a held message off the list. The raw message stays stored."""
    row = _decide(message, actor=actor)
    row.status = Status.DISCARDED
    row.save(update_fields=["status"])
    return row


def _decide(message: InboundMessage, *, actor: User) -> InboundMessage:
    row = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if row.status != Status.HELD:
        raise DomainError("This message is no longer held.", code="not_held")
    row.decided_by, row.decided_at = actor, clock.now()
    row.save(update_fields=["decided_by", "decided_at"])
    return row
