"""Mail that no person wrote to us: auto-replies, bounces, list and bulk mail, our own mail
coming back. Recognised from the headers alone, recorded with the reason, never answered and
never ticketed, so two robots can never write to each other for ever."""

from __future__ import annotations

from .models import Reason
from .parsing import ParsedMessage

BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


def reason(parsed: ParsedMessage) -> str | None:
    """The Reason a message is noise, or None when a person wrote it."""
    h = parsed.headers
    msg = parsed.message
    if h.get("x-helpdesk-outbox-id"):
        return Reason.LOOP
    if _is_report(msg) or parsed.from_address.startswith(BOUNCE_SENDERS):
        return Reason.BOUNCE
    if h.get("auto-submitted", "no").strip().lower().split(";")[0] not in ("", "no"):
        return Reason.AUTO_REPLY
    if h.get("x-autoreply") or h.get("x-autorespond") or h.get("x-auto-response-suppress"):
        return Reason.AUTO_REPLY
    if h.get("precedence", "").strip().lower() in BULK_PRECEDENCE:
        return Reason.LIST
    if h.get("list-id") or h.get("list-unsubscribe"):
        return Reason.LIST
    if "return-path" in h and h["return-path"].strip() in ("<>", ""):
        return Reason.BOUNCE
    return None


def _is_report(msg) -> bool:
    if msg is None or msg.get_content_type() != "multipart/report":
        return False
    report_type = (msg.get_param("report-type") or "").lower()
    return report_type in ("delivery-status", "") or "disposition" not in report_type


def bounced_outbox_ids(parsed: ParsedMessage) -> list[int]:
    """The outbox rows a bounce is about: the Message-IDs of ours that it quotes."""
    from .routing import outbox_id

    found: list[int] = []
    ids = [*parsed.in_reply_to, *parsed.references]
    msg = parsed.message
    if msg is not None:
        for part in msg.walk():
            if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                text = part.as_string() if part.get_content_type() == "message/rfc822" else ""
                if not text:
                    payload = part.get_payload(decode=True) or b""
                    text = payload.decode("utf-8", "replace")
                for line in text.splitlines():
                    if line.lower().startswith("message-id:"):
                        ids.append(line.split(":", 1)[1].strip())
    for value in ids:
        pk = outbox_id(value)
        if pk is not None and pk not in found:
            found.append(pk)
    return found
