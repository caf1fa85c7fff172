"""The few headers read before anything else (who, what about, which Message-ID), with the
standard library alone: the mail server's pipe stores a message with these and nothing more.
Every reader here survives malformed headers."""

from __future__ import annotations

from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

from .ids import first_id


def summary(raw: bytes) -> dict:
    """Message-ID, sender and subject as the held list shows them; blanks when unreadable."""
    try:
        msg = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        name, address = sender(msg)
        return {
            "message_id": first_id(header(msg, "Message-ID")),
            "from_address": address.lower().replace("\x00", ""),
            "from_name": name.replace("\x00", ""),
            "subject": " ".join(header(msg, "Subject").replace("\x00", "").split())[:500],
        }
    except Exception:  # noqa: BLE001 - stored anyway; ingest holds it with the error
        return {"message_id": None, "from_address": "", "from_name": "", "subject": ""}


def header(msg: Message, name: str) -> str:
    """A header's decoded value, or "" when missing. A malformed header (bad encoded words,
    broken address syntax) is read as its raw text rather than failing the message."""
    try:
        value = msg.get(name)
        return "" if value is None else str(value).strip()
    except Exception:  # noqa: BLE001 - the email package raises many kinds on malformed input
        raw = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
        if raw is None:
            return ""
        try:
            return str(make_header(decode_header(str(raw)))).strip()
        except Exception:  # noqa: BLE001
            return str(raw).strip()


def sender(msg: Message) -> tuple[str, str]:
    for name in ("From", "Sender", "Reply-To"):
        value = header(msg, name)
        if value:
            addresses = [a for a in getaddresses([value]) if "@" in a[1]]
            found = addresses[0] if addresses else parseaddr(value)
            if "@" in found[1]:
                return found[0][:200], found[1][:320]
    return "", ""
