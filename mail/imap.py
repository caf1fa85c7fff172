"""Polling IMAP mailboxes: each message is stored (mail.inbound.receive) before it is deleted.

Mailboxes come from HELPDESK_IMAP_MAILBOXES. Only encrypted connections: `imaps://` (TLS from
the first byte) or `imap+starttls://` (STARTTLS before the login, and the poll stops when the
server does not offer it); certificates are verified, against the system's CAs and
HELPDESK_IMAP_CA_FILE. A plain `imap://` URL is refused: the password would cross in clear.

One poller per mailbox at a time: PostgreSQL decides, with a session advisory lock that dies
with its connection, so a second beat (or a worker killed mid-poll) never double-ingests. A
message leaves the mailbox only once `receive` has committed it; if the poller dies in between,
the next poll fetches it again and `receive` records the copy as a duplicate of the stored one
(ingesting the stored one if it never was).
"""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import logging
import re
import ssl
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from . import inbound

log = logging.getLogger(__name__)

TLS = "imaps"
STARTTLS = "imap+starttls"
DEFAULT_PORTS = {TLS: 993, STARTTLS: 143}


class PlainTextRefused(ImproperlyConfigured):
    """The mailbox would be read over an unencrypted connection."""


@dataclass(frozen=True)
class Mailbox:
    scheme: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"

    @property
    def label(self) -> str:
        """How logs and stored messages name it: never with the password."""
        return f"{self.user}@{self.host}/{self.folder}"


def parse_mailbox(url: str) -> Mailbox:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("imap", "http", "https", ""):
        raise PlainTextRefused(
            f"IMAP mailbox {parts.hostname or url!r}: use imaps:// or imap+starttls://, "
            "never plain imap:// (the password would cross unencrypted)."
        )
    if scheme not in DEFAULT_PORTS:
        raise ImproperlyConfigured(f"IMAP mailbox: unknown scheme {parts.scheme!r}.")
    if not parts.hostname or not parts.username:
        raise ImproperlyConfigured("IMAP mailbox: the URL needs a user and a host.")
    return Mailbox(
        scheme=scheme,
        host=parts.hostname,
        port=parts.port or DEFAULT_PORTS[scheme],
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def configured_mailboxes(value: str | None = None) -> list[Mailbox]:
    value = settings.HELPDESK_IMAP_MAILBOXES if value is None else value
    return [parse_mailbox(url) for url in re.split(r"[\s,]+", value) if url]


def ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()  # verifies the certificate and the host name
    if settings.HELPDESK_IMAP_CA_FILE:
        context.load_verify_locations(cafile=settings.HELPDESK_IMAP_CA_FILE)
    return context


def connect(box: Mailbox) -> imaplib.IMAP4:
    """Logged in, the folder selected (read-write, so messages can be deleted)."""
    timeout = settings.HELPDESK_IMAP_TIMEOUT_SECONDS
    if box.scheme == TLS:
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            box.host, box.port, ssl_context=ssl_context(), timeout=timeout
        )
    else:
        imap = imaplib.IMAP4(box.host, box.port, timeout=timeout)
        if "STARTTLS" not in imap.capabilities:
            imap.shutdown()
            raise PlainTextRefused(f"IMAP mailbox {box.label}: the server offers no STARTTLS.")
        imap.starttls(ssl_context=ssl_context())
    imap.login(box.user, box.password)
    status, detail = imap.select(_quoted(box.folder))
    if status != "OK":
        imap.logout()
        raise imaplib.IMAP4.error(f"cannot open {box.folder!r}: {detail!r}")
    return imap


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lock_key(box: Mailbox) -> int:
    # A stable signed 32-bit key per mailbox for PostgreSQL's advisory locks; the port is part
    # of it, since two servers on one host are two mailboxes.
    return zlib.crc32(f"mail.imap.{box.user}@{box.host}:{box.port}/{box.folder}".encode()) - 2**31


@contextlib.contextmanager
def _polling(box: Mailbox) -> Iterator[bool]:
    """Whether this process may poll the mailbox now. A session lock, not a transaction's:
    each message is committed on its own while the lock is held."""
    key = _lock_key(box)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (locked,) = cursor.fetchone()
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@dataclass
class PollResult:
    mailbox: str
    stored: int = 0
    left: int = 0  # messages that could not be stored and stay in the mailbox
    skipped: bool = False  # another process was polling it


def poll(box: Mailbox, *, limit: int | None = None) -> PollResult:
    """Store and then remove up to `limit` messages, oldest first."""
    limit = limit or settings.HELPDESK_IMAP_BATCH
    result = PollResult(box.label)
    with _polling(box) as locked:
        if not locked:
            result.skipped = True
            return result
        imap = connect(box)
        try:
            # ALL, not UNDELETED: a message flagged by a poller that died before the expunge
            # was stored; fetched again, it is recorded as a duplicate and expunged this time.
            _, data = imap.uid("SEARCH", "ALL")
            uids = data[0].split()[:limit] if data and data[0] else []
            can_expunge_one = "UIDPLUS" in imap.capabilities
            for uid in uids:
                raw = fetch(imap, uid)
                if raw is None:
                    continue  # expunged by someone else meanwhile
                try:
                    inbound.receive(with_message_id(raw, box), source=f"imap:{box.label}"[:100])
                except Exception:
                    # Not stored (the database is unreachable): it stays in the mailbox, and so
                    # do the ones after it, until the next poll.
                    log.exception("IMAP %s: message %s could not be stored", box.label, uid)
                    result.left = len(uids) - result.stored
                    break
                remove(imap, uid, expunge_one=can_expunge_one)
                result.stored += 1
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.logout()
    return result


def with_message_id(raw: bytes, box: Mailbox) -> bytes:
    """The message, with a Message-ID made from its content when it has none (as mail servers
    add one). The same message fetched again after a crash gets the same one, so it is
    recognised as a copy and never opens a second ticket."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if re.search(rb"(?im)^message-id[ \t]*:[ \t]*\S", head):
        return raw
    digest = hashlib.sha256(raw).hexdigest()[:40]
    return f"Message-ID: <{digest}@{box.host}>\r\n".encode() + raw


def fetch(imap: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK: reading does not mark it \Seen, so a message left behind looks untouched.
    status, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise imaplib.IMAP4.error(f"FETCH {uid!r}: {data!r}")
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    return None


def remove(imap: imaplib.IMAP4, uid: bytes, *, expunge_one: bool) -> None:
    imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
    if expunge_one:
        imap.uid("EXPUNGE", uid)  # only this one, never a message someone else flagged
    else:
        imap.expunge()


def poll_all(*, limit: int | None = None) -> list[PollResult]:
    results = []
    for box in configured_mailboxes():
        try:
            results.append(poll(box, limit=limit))
        except (imaplib.IMAP4.error, OSError, ssl.SSLError, ImproperlyConfigured):
            # One unreachable mailbox must not starve the others; the next poll retries.
            log.exception("IMAP %s: poll failed", box.label)
    return results
