"""`manage.py ingest_email --sync < message.eml`: store one message and ingest it before
exiting, saying what became of it. Without --sync, manage.py hands the message to mail.pipe,
which stores it without starting Django (the engine ingests it); see that module.

Exit status 0 once the message is stored, whatever became of it (a ticket, a comment, ignored
or held); 75 (EX_TEMPFAIL) when it could not be stored, so the mail server keeps it and retries.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from mail.inbound import receive
from mail.pipe import EX_DATAERR, EX_TEMPFAIL


class Command(BaseCommand):
    help = "Store and ingest one RFC 822 message read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("--source", default="stdin", help="Recorded as the message's source.")
        parser.add_argument(
            "--sync", action="store_true", help="Ingest before exiting (this command)."
        )

    def handle(self, *args, source: str, **options):
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("No message on standard input.")
            sys.exit(EX_DATAERR)
        try:
            message = receive(raw, source=source)
        except Exception as exc:  # noqa: BLE001 - any failure to store means "try again later"
            self.stderr.write(f"Could not store the message: {exc}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{message.status} {message.reason or ''} #{message.pk}".strip())
