"""`manage.py ingest_email < message.eml`: how a mail server pipes one message in.

Exit status 0 once the message is stored (whatever became of it: a ticket, a comment, ignored
or held); 75 (EX_TEMPFAIL) when it could not be stored, so the mail server keeps it and retries.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from mail.inbound import receive

EX_DATAERR = 65  # nothing to store: the mail server bounces it rather than retrying
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Store and ingest one RFC 822 message read from standard input."

    def add_arguments(self, parser):
        parser.add_argument("--source", default="stdin", help="Recorded as the message's source.")

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
