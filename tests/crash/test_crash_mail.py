"""The IMAP poller killed (SIGKILL) mid-message, at each point of a message's way from the
mailbox to a ticket, and at random moments in a loop of kills: once a poller runs to the end,
every message is stored and ticketed exactly once, and the mailbox is empty. Nothing is lost
(neither in the mailbox nor stored) and nothing is ticketed twice.

The poller is a forked child of the test (a real process with its own database session and
IMAP connection; no interpreter start-up per kill). Rounds report to CHAOS_REPORT like the other
crash scenarios (`make chaos`).
"""

from __future__ import annotations

import io
import logging
import os
import random
import signal
import tempfile
import time
import traceback
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections

from mail import imap, inbound
from mail.models import InboundMessage
from tests.crash.ledger import Round, Tally
from tests.factories import OrganizationFactory, make_contact
from tests.mail.imap_server import dovecot  # noqa: F401 - the fixture
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.crash]
REPEAT = int(os.environ.get("CHAOS_REPEAT", "1"))
MESSAGES = 3
KILLED_AT = 2  # the message the poller dies on
# Where the poller dies: the raw bytes read, nothing stored; the raw message committed, not
# ingested; ticketed, still in the mailbox; flagged deleted, not expunged; at random moments.
POINTS = ("fetched", "stored", "ingested", "flagged")
SCENARIOS = (*POINTS, "random_kills")


def message(scenario: str, n: int) -> bytes:
    # The one the poller dies on has no Message-ID, as some scripts and old clients send.
    mid = "" if n == KILLED_AT - 1 else f"Message-ID: <{scenario}-{n}@acme.test>\r\n"
    return (
        f"From: Carol <carol@acme.test>\r\nTo: support@helpdesk.localhost\r\n"
        f"Subject: {scenario} case {n}\r\n{mid}Date: Fri, 04 Dec 2026 10:00:0{n} +0000\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nCase {n}.\r\n"
    ).encode()


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _poll_and_die_at(point: str) -> list[imap.PollResult]:
    """In the child: poll, dying at `point` of the KILLED_AT-th message."""
    seen = {"fetched": 0, "stored": 0, "removed": 0}
    real_fetch, real_ingest, real_remove = imap.fetch, inbound.ingest, imap.remove

    def fetch(conn, uid):
        raw = real_fetch(conn, uid)
        seen["fetched"] += 1
        if point == "fetched" and seen["fetched"] == KILLED_AT:
            die()
        return raw

    def ingest(row, **kwargs):
        seen["stored"] += 1
        if point == "stored" and seen["stored"] == KILLED_AT:
            die()
        return real_ingest(row, **kwargs)

    def remove(conn, uid, *, expunge_one):
        seen["removed"] += 1
        if point == "flagged" and seen["removed"] == KILLED_AT:
            conn.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
            die()
        if point == "ingested" and seen["removed"] == KILLED_AT:
            die()
        return real_remove(conn, uid, expunge_one=expunge_one)

    imap.fetch, inbound.ingest, imap.remove = fetch, ingest, remove
    return imap.poll_all()


CHILD_REPORT = Path(tempfile.gettempdir()) / f"helpdesk-crash-mail-{os.getpid()}.txt"


def fork_poller(point: str) -> int:
    # The child opens its own database session; the parent's must not be shared with it.
    connections.close_all()
    CHILD_REPORT.unlink(missing_ok=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _own_database_session()
        status, logged = 0, io.StringIO()
        logging.getLogger(imap.__name__).addHandler(logging.StreamHandler(logged))
        try:
            # A poller that returns instead of dying says why (a skipped or failed poll).
            results = _poll_and_die_at(point)
            CHILD_REPORT.write_text(f"poll_all returned {results!r}\n{logged.getvalue()}")
        except BaseException:
            CHILD_REPORT.write_text(f"{traceback.format_exc()}\n{logged.getvalue()}")
            status = 3
        finally:
            os._exit(status)
    return pid


def _own_database_session() -> None:
    """In the child: forget any session object inherited from the parent (without closing its
    socket, which is the parent's), then connect, waiting out a server still settling after
    the restarts of the crash tests before (bounded)."""
    for conn in connections.all(initialized_only=True):
        conn.connection = None
        conn.closed_in_transaction = False
    for attempt in range(20):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except OperationalError:
            connection.connection = None
            time.sleep(0.25 * (attempt + 1))
    raise RuntimeError("the database did not answer the poller")


def killed_by(pid: int) -> int | None:
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else None


def child_report() -> str:
    return CHILD_REPORT.read_text() if CHILD_REPORT.exists() else "(no report)"


def killed_at_random(rng: random.Random) -> None:
    """Pollers killed at random moments, a bounded number of times."""
    for _ in range(4):
        pid = fork_poller("none")
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(pid, signal.SIGKILL)
        killed_by(pid)


def tally(scenario: str) -> Tally:
    result = Tally()
    for n in range(MESSAGES):
        subject = f"{scenario} case {n}"
        tickets = Ticket.objects.filter(title=subject).count()
        stored = InboundMessage.objects.filter(subject=subject, duplicate_of__isnull=True).count()
        if tickets == 0:
            result.problem("lost_messages", f"{subject}: no ticket ({stored} stored)")
        if tickets > 1:
            result.problem("duplicated_messages", f"{subject}: {tickets} tickets", tickets - 1)
    return result


@pytest.mark.parametrize("round_", range(REPEAT))
def test_a_killed_poller_loses_nothing_and_tickets_nothing_twice(
    round_,
    dovecot,  # noqa: F811
    settings,
):
    make_contact(OrganizationFactory(name="Acme", domain="acme.test"), email="carol@acme.test")
    settings.HELPDESK_IMAP_MAILBOXES = dovecot.url()
    settings.HELPDESK_IMAP_CA_FILE = dovecot.ca_file
    problems = []
    for scenario in SCENARIOS:
        dovecot.append(*(message(scenario, n) for n in range(MESSAGES)))
        with Round(f"imap_killed_{scenario}", round_) as this_round:
            if scenario == "random_kills":
                killed_at_random(random.Random(round_))
            else:
                assert killed_by(fork_poller(scenario)) == signal.SIGKILL, child_report()
                # Died on the KILLED_AT-th: those before it left the mailbox, it and the rest
                # did not (a flagged one stays until expunged).
                assert dovecot.count() == MESSAGES - KILLED_AT + 1
            # The next poll, to the end.
            assert [r.left for r in imap.poll_all()] == [0]
            assert dovecot.count() == 0
            this_round.tally = tally(scenario)
        problems += this_round.tally.causes
    assert problems == []
    assert Ticket.objects.count() == MESSAGES * len(SCENARIOS)
