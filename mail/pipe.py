"""`manage.py ingest_email`, as a mail server runs it once per message: store the message and
exit, fast, without loading Django.

A mail server starts one process per message, so what each costs bounds how much mail comes in:
Django with every app loaded costs most of a second of CPU, this a few hundredths. The message
is stored raw in one committed transaction, exactly as `mail.inbound.store` stores it; the
engine's mail module (mail.engine) ingests it within a tick. `--sync` (the Django command)
ingests before it exits and says what became of the message.

Exit status: 0 once the message is stored; 65 (EX_DATAERR) for an empty input, which the
server returns to its sender; 75 (EX_TEMPFAIL) when it could not be stored (the database is
down), so the server keeps it and tries again.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

from mail.ids import first_id, raw_header

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75

INSERT = """
INSERT INTO mail_inboundmessage
    (raw, sha256, size, message_id, from_address, from_name, subject, source, received_at,
     status, reason, error, attempts, duplicate_of_id, processed_at)
VALUES (%(raw)s, %(sha256)s, %(size)s, %(message_id)s, %(from_address)s, %(from_name)s,
        %(subject)s, %(source)s, %(now)s, %(status)s, %(reason)s, '', 0, %(duplicate_of)s,
        %(processed_at)s)
"""
# The first copy of a Message-ID; a later copy is stored as an ignored duplicate of it.
INSERT_FIRST = (
    INSERT + "ON CONFLICT (message_id) WHERE message_id IS NOT NULL AND duplicate_of_id IS NULL "
    "DO NOTHING RETURNING id"
)
FIRST_COPY = "SELECT id FROM mail_inboundmessage WHERE message_id = %s AND duplicate_of_id IS NULL"


def database() -> dict:
    """The product's database settings, read from its settings module without starting Django
    (the platform package's __init__ starts Celery, which this process does not need)."""
    if "helpdesk" not in sys.modules:
        package = types.ModuleType("helpdesk")
        package.__path__ = [str(Path(__file__).resolve().parent.parent / "helpdesk")]
        sys.modules["helpdesk"] = package
    name = os.environ.get("DJANGO_SETTINGS_MODULE", "helpdesk.settings.dev")
    return importlib.import_module(name).DATABASES["default"]


def store(raw: bytes, *, source: str) -> tuple[int, bool]:
    """(row id, whether it is a duplicate). Raises when the message could not be stored."""
    import psycopg2  # here, so that `--help` needs no driver

    options = {"connect_timeout": 10, "application_name": "ingest_email"}
    url = os.environ.get("DATABASE_URL")
    if url:
        # What the settings would read, handed to libpq as it is (it reads postgres:// URLs):
        # importing the settings costs this process about as much again as the rest of it.
        connection = psycopg2.connect(url, **options)
    else:
        db = database()
        connection = psycopg2.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            **options,
        )
    row = {
        "raw": psycopg2.Binary(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "source": source[:100],
        "now": datetime.now(UTC),
        "status": "received",
        "reason": "",
        "duplicate_of": None,
        "processed_at": None,
        # Only what the duplicate check needs; ingest fills in the sender and subject.
        "message_id": first_id(raw_header(raw, "Message-ID")),
        "from_address": "",
        "from_name": "",
        "subject": "",
    }
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(INSERT_FIRST, row)
            first = cursor.fetchone()
            if first is not None:
                return first[0], False
            cursor.execute(FIRST_COPY, [row["message_id"]])
            row["duplicate_of"] = cursor.fetchone()[0]
            row.update(status="ignored", reason="duplicate", processed_at=row["now"])
            cursor.execute(INSERT + " RETURNING id", row)
            return cursor.fetchone()[0], True
    finally:
        connection.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="manage.py ingest_email",
        description="Store one RFC 822 message read from standard input; the engine ingests "
        "it. --sync ingests it before exiting (slower: starts Django).",
    )
    parser.add_argument("--source", default="stdin", help="Recorded as the message's source.")
    args = parser.parse_args(argv)
    raw = sys.stdin.buffer.read()
    if not raw.strip():
        print("No message on standard input.", file=sys.stderr)
        return EX_DATAERR
    try:
        pk, duplicate = store(raw, source=args.source)
    except Exception as exc:  # noqa: BLE001 - any failure to store means "try again later"
        print(f"Could not store the message: {exc}", file=sys.stderr)
        return EX_TEMPFAIL
    print(f"{'ignored duplicate' if duplicate else 'stored'} #{pk}")
    return EX_OK
