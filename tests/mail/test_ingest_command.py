"""`manage.py ingest_email` as a mail server runs it: a real process reading standard input.
Exit 0 whenever the message is stored; non-zero only when it could not be, so the server
keeps it and tries again. The engine's mail module ingests what the pipe stored."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.management import call_command

from helpdesk import engine
from mail.models import InboundMessage
from tests.factories import OrganizationFactory, make_contact
from tests.live.harness import process_env

MAIL = b"""From: Anna Meyer <anna@acme.example>
To: support@helpdesk.example
Subject: Piped in
Message-ID: <piped-1@acme.example>
Content-Type: text/plain; charset=utf-8

Our exports fail since the upgrade.
""".replace(b"\n", b"\r\n")
GARBAGE = b"\x00\x01\xff this is not mail at all\r\n"


def ingest(raw: bytes, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "ingest_email", "--source", "pipe", *args],
        input=raw,
        capture_output=True,
        cwd=settings.BASE_DIR,
        env=process_env(**env),
        timeout=60,
        check=False,
    )


def out(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().split()[:-1]  # the last word is the row's id


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exit_status_says_whether_the_message_is_stored():
    make_contact(OrganizationFactory(domain="acme.example"), email="anna@acme.example")

    assert out(ingest(MAIL)) == ["stored"]
    assert out(ingest(MAIL)) == ["ignored", "duplicate"]
    assert out(ingest(GARBAGE)) == ["stored"]
    down = ingest(MAIL.replace(b"piped-1", b"piped-3"), DATABASE_URL="postgres://x@127.0.0.1:9/x")
    assert down.returncode == 75
    assert b"Could not store the message" in down.stderr
    assert ingest(b"").returncode == 65

    # Two deliveries of one message at the same moment: one is stored, the other a duplicate.
    twice = MAIL.replace(b"piped-1", b"piped-race")
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(" ".join(out(r)) for r in pool.map(ingest, [twice, twice]))
    assert outcomes == ["ignored duplicate", "stored"]

    mail = next(m for m in engine.registered() if m.name == "mail")
    assert engine.run_module(mail, now=None) == 3  # the pipe's stored messages
    rows = list(InboundMessage.objects.order_by("pk").values_list("status", "reason", "raw"))
    assert [(status, reason, bytes(raw)) for status, reason, raw in rows][:3] == [
        ("ticketed", "", MAIL),
        ("ignored", "duplicate", MAIL),
        ("held", "no_sender", GARBAGE),
    ]
    assert sorted((status, reason) for status, reason, _ in rows[3:]) == [
        ("ignored", "duplicate"),
        ("ticketed", ""),
    ]


@pytest.mark.django_db
def test_sync_ingests_before_exiting_and_says_what_became_of_it(monkeypatch, capsys):
    make_contact(OrganizationFactory(domain="acme.example"), email="anna@acme.example")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MAIL)))
    call_command("ingest_email", "--sync", "--source", "pipe")
    status, number = capsys.readouterr().out.split()
    message = InboundMessage.objects.get()
    assert (status, number) == ("ticketed", f"#{message.pk}")
    assert (message.source, bytes(message.raw)) == ("pipe", MAIL)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(SystemExit) as empty:
        call_command("ingest_email", "--sync")
    assert empty.value.code == 65
