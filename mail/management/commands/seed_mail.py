"""Demo mail: a ticket opened by an HTML mail from Acme, and a few messages held for review
(a reply from another customer's contact, new mail from unknown addresses), plus an ignored
auto-reply. Each goes in through `mail.inbound.receive`, as real mail does."""

from __future__ import annotations

import base64
import struct
import zlib

from django.core.management.base import BaseCommand

from mail.inbound import receive
from mail.models import InboundMessage


def png(width: int, height: int) -> str:
    """A small striped PNG, base64: the screenshot the customer pasted into the mail."""
    rows = b"".join(
        b"\x00" + (b"\xd0\x3a\x3a" if (y // 8) % 2 else b"\xf5\xf6\xf8") * width
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    data += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.encodebytes(data).decode()


SCREENSHOT = png(240, 96)

HTML_MAIL = f"""From: Raj Patel <raj.patel@acme.com>
To: Support <support@helpdesk.example>
Subject: Webhook signatures fail to verify since the key rotation
Message-ID: <demo-html-1@acme.com>
MIME-Version: 1.0
X-Mailer: Microsoft Outlook 16.0
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset="utf-8"

<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<style>p.MsoNormal {{font-family:Calibri}}</style>
<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]--></head>
<body><div class=WordSection1>
<p class=MsoNormal>Hello support,<o:p></o:p></p>
<p class=MsoNormal>Since we rotated our webhook signing secret this morning,
<b>every</b> delivery to
<code>https://hooks.acme.com/billing</code> fails our signature check.<o:p></o:p></p>
<ul><li>Rotated at 08:12 UTC from the dashboard</li>
<li>Deliveries since then: 1,240, all rejected</li>
<li>Request id of one of them: <code>req_9f2c41d7a0</code></li></ul>
<p class=MsoNormal>Our verifier is attached as a screenshot.
Are deliveries still signed with the old secret?<o:p></o:p></p>
<p class=MsoNormal><img src="cid:verifier@acme.com" alt="verifier"></p>
<p class=MsoNormal>Best regards,<o:p></o:p></p>
<p class=MsoNormal>Raj Patel<br>Platform Engineer | Acme Corp<o:p></o:p></p>
</div></body></html>
--rel
Content-Type: image/png; name="verifier.png"
Content-Disposition: inline; filename="verifier.png"
Content-ID: <verifier@acme.com>
Content-Transfer-Encoding: base64

{SCREENSHOT}
--rel--
"""

STRANGER_REPLY = """From: Mei Tanaka <mei.tanaka@northwind.example>
To: Support <support@helpdesk.example>
Subject: Re: [{key}] Webhook signatures fail to verify since the key rotation
Message-ID: <demo-stranger-1@northwind.example>
In-Reply-To: <demo-html-1@acme.com>
Content-Type: text/plain; charset=utf-8

We see the same since this morning. Is it the same problem?
"""

UNKNOWN = [
    (
        "Dave Miller <dave.miller@freemail.example>",
        "Pricing for 40 seats",
        "Hi, how much is the business plan for 40 seats, billed yearly?",
    ),
    (
        "Priya <priya@startup.example>",
        "API returns 429 on the free plan",
        "We get 429 Too Many Requests after 60 calls a minute. Is that the free plan's limit?",
    ),
]

AUTO_REPLY = """From: Emily Novak <emily.novak@acme.com>
To: Support <support@helpdesk.example>
Subject: Automatic reply: Webhook signatures fail to verify
Message-ID: <demo-ooo-1@acme.com>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

I am out of the office until Monday.
"""


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


class Command(BaseCommand):
    help = "Demo mail in: an HTML mail's ticket and a few held messages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when mail was already received"
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and InboundMessage.objects.exists():
            self.stdout.write("Mail already received; nothing to do.")
            return
        opened = receive(crlf(HTML_MAIL), source="demo")
        if opened.status != "ticketed":
            self.stderr.write(f"The demo HTML mail was {opened.status}: {opened.error}")
            return
        from tickets.models import Ticket

        key = Ticket.objects.get(pk=opened.ticket_id).key
        outcomes = [opened, receive(crlf(STRANGER_REPLY.format(key=key)), source="demo")]
        for i, (sender, subject, body) in enumerate(UNKNOWN):
            raw = (
                f"From: {sender}\nTo: support@helpdesk.example\nSubject: {subject}\n"
                f"Message-ID: <demo-unknown-{i}@demo.example>\n"
                f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
            )
            outcomes.append(receive(crlf(raw), source="demo"))
        outcomes.append(receive(crlf(AUTO_REPLY), source="demo"))
        summary = ", ".join(f"{m.status}{' ' + m.reason if m.reason else ''}" for m in outcomes)
        self.stdout.write(f"Demo mail: {key} opened by an HTML mail; {summary}.")
