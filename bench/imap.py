"""IMAP polling, measured: messages per second from a mailbox into tickets, comments and ignored
auto-replies, as the periodic poll does it (fetch, store and ingest, flag and expunge, one
message after another over one TLS connection).

    python -m bench.imap --out FILE [--messages N]

The mailbox is a private Dovecot on 127.0.0.1 (the tests' server), filled with IMAP APPEND
before the clock starts, with the same mix as the ingest bench (bench.mail). The poll runs in a
transaction that is rolled back, so the dataset is the same after a run; the commits a real poll
makes per message (its savepoints here) are the part this figure leaves out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path


class Rollback(Exception):
    pass


def measure(count: int) -> dict:
    from django.db import transaction
    from django.db.models import Count
    from django.test import override_settings

    from bench.mail import messages, senders
    from mail import imap, inbound
    from mail.models import InboundMessage
    from tests.mail.imap_server import Dovecot

    who = senders()
    if not who:
        raise RuntimeError("No contact with an address and an open ticket in this database.")
    tag = uuid.uuid4().hex[:8]
    base = Path(tempfile.mkdtemp(prefix="bench-dovecot-"))
    base.chmod(0o755)
    server = Dovecot(base / "server").start()
    try:
        started = time.monotonic()
        for raw in messages(count, who, f"{tag}i"):
            server.append(raw)
        append_seconds = time.monotonic() - started
        box = imap.parse_mailbox(server.url())
        # The time inside mail.inbound.receive (storing and ingesting), apart from the IMAP part.
        inside = [0.0]
        real_receive = inbound.receive

        def timed_receive(raw, *, source):
            began = time.monotonic()
            try:
                return real_receive(raw, source=source)
            finally:
                inside[0] += time.monotonic() - began

        inbound.receive = timed_receive
        with override_settings(HELPDESK_IMAP_CA_FILE=server.ca_file):
            try:
                with transaction.atomic():
                    started = time.monotonic()
                    result = imap.poll(box, limit=count)
                    seconds = time.monotonic() - started
                    outcomes = dict(
                        InboundMessage.objects.filter(message_id__contains=f"-{tag}i-")
                        .values_list("status")
                        .annotate(n=Count("id"))
                        .order_by("status")
                    )
                    raise Rollback
            except Rollback:
                pass
        left = server.count()
    finally:
        inbound.receive = real_receive
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    return {
        "messages": count,
        "stored": result.stored,
        "left_in_mailbox": left,
        "seconds": round(seconds, 2),
        "msgs_per_s": round(result.stored / seconds, 1) if seconds else None,
        "receive_ms_per_msg": round(inside[0] * 1000 / max(result.stored, 1), 1),
        "imap_ms_per_msg": round((seconds - inside[0]) * 1000 / max(result.stored, 1), 1),
        "append_msgs_per_s": round(count / append_seconds, 1),
        "outcomes": outcomes,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    result = measure(args.messages)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
