"""What marks mail that no person wrote, header by header (no database)."""

from __future__ import annotations

import pytest

from mail import noise
from mail.parsing import parse

PLAIN = "From: anna@acme.example\r\nSubject: Hello\r\nMessage-ID: <n@acme.example>\r\n"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("", None),
        ("Auto-Submitted: no\r\n", None),
        ("Precedence: first-class\r\n", None),
        ("Return-Path: <anna@acme.example>\r\n", None),
        ("Auto-Submitted: auto-replied\r\n", "auto_reply"),
        ("Auto-Submitted: auto-generated; owner-email=x@y.example\r\n", "auto_reply"),
        ("X-Autoreply: yes\r\n", "auto_reply"),
        ("X-Autorespond: Out of office\r\n", "auto_reply"),
        ("X-Auto-Response-Suppress: All\r\n", "auto_reply"),
        ("Precedence: bulk\r\n", "list"),
        ("Precedence: junk\r\n", "list"),
        ("Precedence: list\r\n", "list"),
        ("List-Id: <devs.lists.example>\r\n", "list"),
        ("Return-Path: <>\r\n", "bounce"),
        ("X-Helpdesk-Outbox-Id: 12\r\n", "loop"),
    ],
)
def test_noise_is_recognised_from_the_headers(headers, reason):
    parsed = parse(f"{PLAIN}{headers}\r\nHi\r\n".encode())
    assert noise.reason(parsed) == reason


def test_a_bounce_is_recognised_from_its_sender_or_its_report():
    mailer = parse(b"From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n\r\nx\r\n")
    assert noise.reason(mailer) == "bounce"
    report = parse(
        b"From: postmaster@mx.example\r\nContent-Type: multipart/report; "
        b'report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n'
        b"\r\nfailed\r\n--b--\r\n"
    )
    assert noise.reason(report) == "bounce"
