"""The playbook's communication rules (seed 003, "What Not to Say" and "What to Always
Include"), checked on a reply draft before it is sent. Warnings, never blocks: the agent may
have a reason, and the check cannot read intent.

Engineering's word is read from the ticket's timeline: an engineering escalation step that
carries a committed date means engineering confirmed the bug and committed to its fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent

_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_WHEN = (
    rf"(?:(?:by|on|before|until|in|within)\s+(?:the\s+)?(?:end of (?:the )?(?:day|week|month)"
    rf"|tomorrow|today|tonight|{_WEEKDAY}|{_MONTH}|\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{4}}-\d\d-\d\d"
    rf"|next (?:week|release|sprint)|\d+\s+(?:hours?|days?|weeks?)|the next release)"
    rf"|next (?:week|month|release|sprint)|tomorrow|today|tonight)"
)
FIX_PROMISE = re.compile(
    rf"\b(?:(?:will|should|'ll) be (?:fixed|resolved|patched|deployed|released)|fix(?:ed)? "
    rf"(?:will|should) (?:be )?(?:ship|land|deploy|release|go live|be live|be out|be ready)"
    rf"\w*|(?:fix|patch) (?:is )?(?:coming|scheduled|planned))\b[^.\n]{{0,40}}?\b{_WHEN}",
    re.IGNORECASE,
)
OUR_BUG = re.compile(
    r"\b(?:(?:a|the)\s+bug\s+(?:in|on)\s+(?:our|the)\s+(?:code|side|platform|api|system|end)"
    r"|our\s+bug|this\s+is\s+a\s+bug|(?:is|was)\s+caused\s+by\s+a\s+bug)\b",
    re.IGNORECASE,
)
IMPOSSIBLE = re.compile(r"\b(?:impossible|cannot be done|can't be done)\b", re.IGNORECASE)
DONT_KNOW = re.compile(
    r"\b(?:I|we)\s+(?:don't|do not|dont)\s+know\b|\bno idea\b|\bnot sure why\b", re.IGNORECASE
)
NEXT_STEPS = re.compile(
    r"\b(?:next steps?|(?:I|we)(?:'ll| will| am going to| are going to)|please\s+\w+"
    r"|could you|can you|once (?:we|you)|in the meantime|meanwhile)\b",
    re.IGNORECASE,
)
NEXT_UPDATE = re.compile(
    r"\b(?:(?:next|an?|another|further)\s+update|update you|get back to you|follow up"
    r"|hear from (?:me|us))\b[^.\n]{0,60}?(?:\b\d{1,2}[:.]\d\d\b|\bwithin\b|\bin\s+\d+|\bby\b"
    r"|\btomorrow\b|\btoday\b|\bend of\b|\bevery\b|\bhours?\b|\bminutes?\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReplyWarning:
    code: str
    message: str
    excerpt: str = ""
    # A reminder is something missing; the others are something said.
    reminder: bool = False


def engineering_committed(ticket: Ticket) -> bool:
    return TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.ESCALATION, after__has_key="committed_date"
    ).exists()


def check_reply(*, body: str, ticket_key: str, engineering_confirmed: bool) -> list[ReplyWarning]:
    """Warnings for a public reply draft; none for an empty one."""
    text = body.strip()
    if not text:
        return []
    warnings: list[ReplyWarning] = []
    said = (
        (
            FIX_PROMISE,
            "fix_date",
            "A fix date is promised, but engineering has not committed to one on this ticket. "
            "Say that you will share the timeline once engineering confirms it.",
        ),
        (
            OUR_BUG,
            "our_bug",
            "“A bug in our code” before engineering confirmed it: say that you are "
            "investigating, or that engineering is looking into it.",
        ),
        (
            IMPOSSIBLE,
            "impossible",
            "“Impossible”: check with engineering first, and say what can be done instead.",
        ),
        (
            DONT_KNOW,
            "dont_know",
            "“I don't know”: say “I'll investigate” or “I'll escalate” and when you will update.",
        ),
    )
    for pattern, code, message in said:
        if code in ("fix_date", "our_bug") and engineering_confirmed:
            continue
        match = pattern.search(text)
        if match:
            warnings.append(ReplyWarning(code, message, excerpt=match.group(0)))
    if ticket_key.lower() not in text.lower():
        warnings.append(
            ReplyWarning(
                "reference", f"Mention the ticket reference ({ticket_key}).", reminder=True
            )
        )
    if not NEXT_STEPS.search(text):
        warnings.append(
            ReplyWarning(
                "next_steps",
                "Say what happens next: what you will do, or what the customer should do.",
                reminder=True,
            )
        )
    if not NEXT_UPDATE.search(text):
        warnings.append(
            ReplyWarning(
                "next_update",
                "Say when the customer will hear from you next (for example “next update "
                "within 2 hours”).",
                reminder=True,
            )
        )
    return warnings
