"""SUP-456, the critical ticket of seed 000: SSO login failures at Acme Corp, worked from intake to
resolution with the seed's own words (investigation, immediate response, workaround options,
status updates every 30 minutes, resolution communication)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from tickets import services
from tickets.choices import Channel, Severity, Status
from tickets.models import Ticket

from ._demo_people import Cast
from ._demo_scenarios import bullets

DAY = timedelta(days=1)

SUP_456_DESCRIPTION = """\
Multiple users at Acme Corp reporting login failures since yesterday evening. Error message: \
"Invalid credentials" even with correct password.

**Customer impact**
- 50+ affected users
- Business operations blocked
- Revenue impact: High
- Customer satisfaction: At risk

**Environment**
- Production
- Browser: Chrome 118
- Platform: Windows 11
- Account Type: SSO enabled

**Recent changes**
- Auth service deployed 2 days ago
- SSO config updated yesterday

Attachments: screenshot.png, network-log.har, error.log"""

SUP_456_INVESTIGATION = """\
**Investigation**

Service health
- Auth service: UP (200ms latency)
- Database: UP (normal)
- Redis: UP (normal)
- SSO provider: UP

Recent deployments
- Auth-service v2.3.0 (2 days ago)
- SSO config change (yesterday 6pm)

Error logs
- Pattern: `SSO token validation failed: Invalid issuer`
- Frequency: 150 occurrences in last 12 hours
- Affected: only SSO-enabled accounts (50 users); time range yesterday 6pm - now; correlates \
with the SSO config deployment

```
[ERROR] AuthService: SSO validation failed
  at SSOValidator.validate()
  at AuthController.login()
  at Router.handleRequest()
```

Reproduced with an SSO-enabled test account in Chrome (cache cleared): "Sign in with SSO" → \
provider → redirected back → "Invalid credentials". Standard login works.

Performance: auth error rate 30% (normal 0.1%), throughput 50 req/s (normal 100): caused by the \
failed logins, not an underlying performance issue.

**Root cause**: SSO issuer URL mismatch after the config update. Impact: all SSO users. \
Fix: update the SSO config with the correct issuer."""

SUP_456_IMMEDIATE = """\
Hi Acme Corp Team,

We've identified the issue affecting your users' login.

**Problem**
A recent SSO configuration update caused a mismatch in the authentication flow for SSO-enabled \
accounts.

**Impact**
- SSO login: Currently affected
- Standard login: Working normally

**Immediate workaround**
Users can temporarily login using password reset flow:
1. Click "Forgot Password"
2. Reset password via email
3. Login with new password
4. Will work until permanent fix deployed

**Permanent fix**
Deploying corrected SSO configuration now.
ETA: 30 minutes

We apologize for the disruption and will follow up with a post-mortem.

**Status**: IN PROGRESS
**Updates**: Every 30 minutes

Best regards,
Support Engineering Team"""

SUP_456_WORKAROUND = (
    "Log in through the password reset flow (Forgot Password → reset by email → log in with the "
    "new password) until the SSO fix is deployed."
)

SUP_456_WORKAROUND_OPTIONS = """\
**Temporary workaround options**

Option 1: Disable SSO temporarily
- Impact: Users use standard auth
- Risk: Low
- Time: 5 minutes
- Downside: Users need to reset passwords

Option 2: Manual SSO config fix
- Impact: Minimal
- Risk: Low
- Time: 15 minutes
- Downside: Requires deployment

Option 3: Bypass validation temporarily
- Impact: None
- Risk: MEDIUM (security concern)
- Time: 5 minutes
- Downside: Security risk

**Recommended: Option 2.** Implementing the manual SSO config fix: issuer URL changed from \
https://sso.acme.com/auth to https://login.acme.com/auth; updating config/sso.yaml, the \
environment variables and the documentation."""

SUP_456_UPDATES = [
    (
        [
            'SSO token validation fails with "Invalid issuer" for SSO-enabled accounts only '
            "(150 failed logins in the last 12 hours)",
            "Your SSO provider's issuer URL changed from https://sso.acme.com/auth to "
            "https://login.acme.com/auth; our configuration still had the old one",
        ],
        [
            "Updating the SSO configuration with the correct issuer URL",
            "Verifying the token exchange with your SSO provider",
        ],
        [
            "Deploy the corrected configuration to staging and run smoke tests - ETA 20 minutes",
            "Deploy to production - ETA 45 minutes",
        ],
        "within 1 hour",
    ),
    (
        [
            "The corrected issuer URL is verified with your SSO provider",
            "In staging, SSO login, token refresh and logout all work",
        ],
        [
            "Deploying the corrected configuration to production",
            "Monitoring the authentication error rate",
        ],
        [
            "Production deployment - ETA 15 minutes",
            "Verification with test accounts - ETA 30 minutes",
        ],
        "within 45 minutes",
    ),
    (
        ["The fix is deployed to production", "Login with our SSO test account succeeds"],
        [
            "Verifying multiple user types and all SSO flows",
            "Watching the error rate return to normal (0.1%)",
        ],
        ["Confirm all SSO flows - ETA 15 minutes"],
        "within 15 minutes",
    ),
]

SUP_456_RESOLVED = """\
Hi Acme Corp Team,

Issue is now **RESOLVED**. All users should be able to login normally using SSO.

**What we did**
1. Identified SSO configuration mismatch
2. Updated configuration with correct issuer URL
3. Deployed fix to production
4. Verified resolution with test accounts

**What you need to do**
1. Ask users to try logging in again
2. Clear browser cache if issues persist
3. Contact us if any users still have problems

**Verification**
- Test account login successful
- Multiple user types verified
- All SSO flows working

**Root cause**
Recent SSO provider URL change wasn't reflected in our configuration. We've updated our change \
management process to prevent recurrence.

**Post-mortem**
Full post-mortem will be shared within 48 hours, including:
- Detailed timeline
- Root cause analysis
- Prevention measures
- Process improvements

Thank you for your patience.

Best regards,
Support Engineering Team"""

SUP_456_ERROR_LOG = """\
{day} 18:02:11 [ERROR] AuthService: SSO validation failed: Invalid issuer \
(expected https://sso.acme.com/auth, got https://login.acme.com/auth)
    at SSOValidator.validate()
    at AuthController.login()
    at Router.handleRequest()
{day} 18:02:40 [ERROR] AuthService: SSO validation failed: Invalid issuer \
(expected https://sso.acme.com/auth, got https://login.acme.com/auth)
{day} 18:05:13 [WARN] AuthController: login failed for 3 SSO accounts in 60 s
"""


def _png(width: int = 64, height: int = 40) -> bytes:
    """A small grey PNG: enough to stand in for the customer's screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xcc" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _sup_456_files(day: str) -> list[SimpleUploadedFile]:
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "Chrome", "version": "118"},
            "entries": [
                {
                    "request": {
                        "method": "POST",
                        "url": "https://app.example.com/auth/sso/callback",
                    },
                    "response": {
                        "status": 401,
                        "statusText": "Unauthorized",
                        "content": {
                            "mimeType": "application/json",
                            "text": '{"error": "Invalid credentials"}',
                        },
                    },
                }
            ],
        }
    }
    buffer = io.StringIO()
    json.dump(har, buffer, indent=2)
    return [
        SimpleUploadedFile("screenshot.png", _png(), content_type="image/png"),
        SimpleUploadedFile(
            "network-log.har", buffer.getvalue().encode(), content_type="application/json"
        ),
        SimpleUploadedFile(
            "error.log", SUP_456_ERROR_LOG.format(day=day).encode(), content_type="text/plain"
        ),
    ]


def sup_456(cast: Cast, *, now: datetime) -> Ticket:
    """The critical ticket of seed 000, worked from intake to resolution over about two hours,
    a little less than a day ago. It is left resolved: the customer can confirm or reopen it."""
    customer, agent, engineer = cast.customer, cast.staff["agent"], cast.staff["engineer"]
    start = now - timedelta(hours=20, minutes=12)
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    ticket = services.ticket_create(
        actor=customer,
        organization=cast.acme,
        requester=customer,
        number=456,
        now=start,
        title="Customer unable to login",
        description=SUP_456_DESCRIPTION,
        issue_type="bug",
        severity=Severity.P1,
        category="authentication",
        environment="production",
        channel=Channel.EMAIL,
        affected_users=50,
        business_impact="revenue_blocking",
        browser="Chrome 118",
        platform="Windows 11",
        account_type="SSO enabled",
        error_message="Invalid credentials",
        recent_changes="Auth service deployed 2 days ago; SSO config updated yesterday",
        files=_sup_456_files((start - DAY).strftime("%Y-%m-%d")),
    )
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        now=at(3),
        changes={"assignee": engineer, "team": cast.teams["engineering"], "tags": ["sso", "login"]},
    )
    services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=engineer, now=at(5))
    services.comment_add(
        ticket=ticket, author=engineer, body=SUP_456_INVESTIGATION, is_internal=True, now=at(11)
    )
    services.comment_add(ticket=ticket, author=engineer, body=SUP_456_IMMEDIATE, now=at(13))
    services.ticket_update(
        ticket=ticket,
        actor=engineer,
        now=at(13.5),
        changes={
            "workaround_available": True,
            "workaround": SUP_456_WORKAROUND,
        },
    )
    services.ticket_transition(ticket=ticket, to=Status.IN_PROGRESS, actor=engineer, now=at(14))
    services.comment_add(
        ticket=ticket,
        author=customer,
        now=at(24),
        body="Thanks. The password reset works for our admins; we're sending the steps to "
        "everyone else now.",
    )
    minutes = [43, 73, 103]
    for number, (known, doing, steps, expected) in enumerate(SUP_456_UPDATES):
        body = (
            f"Hi Acme Corp Team,\n\n**{ticket.key} update: In progress**\n\n"
            "**Current status**: IN PROGRESS\n\n"
            f"**What we know**\n{bullets(known)}\n\n"
            f"**What we're doing**\n{bullets(doing)}\n\n"
            f"**Next steps**\n{bullets(steps)}\n\n"
            '**Workaround**\nUsers can log in through the password reset flow ("Forgot '
            'Password") until the fix is deployed.\n\n'
            f"**Expected resolution**: {expected}\n\n"
            "**Next update**: in 30 minutes\n\nBest regards,\nSupport Engineering Team"
        )
        services.comment_add(ticket=ticket, author=engineer, body=body, now=at(minutes[number]))
        if number == 0:
            services.comment_add(
                ticket=ticket,
                author=engineer,
                body=SUP_456_WORKAROUND_OPTIONS,
                is_internal=True,
                now=at(47),
            )
    services.comment_add(ticket=ticket, author=engineer, body=SUP_456_RESOLVED, now=at(117))
    return services.ticket_transition(
        ticket=ticket, to=Status.RESOLVED, actor=engineer, now=at(118)
    )
