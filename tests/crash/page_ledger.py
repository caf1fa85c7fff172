"""What a crash round of on-call pages owes and what it got.

Owed: every P1 ticket gets exactly one page, and its first level is notified (a recipient row, one
email received by the SMTP server). An unacknowledged page goes on to its next level once its wait
is over, and every level is notified once. Never: a second page for the same ticket, a person
paged twice for the same step (counted in emails received per page, round, level and person, and
in bell notices), or a step after the page was acknowledged.

The counts are the crash ledger's (tests/crash/ledger.py), so scripts/chaos_summary.py sums both
kinds of round alike: pages and steps are its events, page emails its messages.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from escalation.models import Page, PageReason, PageRecipient, PageState
from helpdesk.models import Notification, OutboundMessage, User
from tests.crash.ledger import Tally, _t


def _step_key(page: Page, round_: int, level: int, user_id: int) -> str:
    return f"page:{page.pk}:r{round_}:l{level}:{user_id}:email"


def page_tally(tickets, levels: list[list[User]], smtp, ticks: list[datetime]) -> Tally:
    """Lost, doubled and untimely pages, steps and page emails of these P1 tickets. `levels`:
    who each level of the test policy pages, in order (the policy has no repeat round)."""
    result = Tally()
    last_tick = ticks[-1] if ticks else None
    pages_by_ticket: dict[int, list[Page]] = {}
    for page in Page.objects.filter(ticket__in=tickets, reason=PageReason.SEVERITY):
        pages_by_ticket.setdefault(page.ticket_id, []).append(page)
    rows = dict(OutboundMessage.objects.values_list("dedup_key", "status"))
    by_message_id = {m.message_id: m.dedup_key for m in OutboundMessage.objects.all()}
    received = Counter(by_message_id.get(mid) for mid in smtp.message_ids())

    for ticket in tickets:
        pages = pages_by_ticket.get(ticket.pk, [])
        if not pages:
            result.problem(
                "lost_events",
                f"{ticket.key}: no page, though the engine ticked last at {_t(last_tick)}, "
                f"after the ticket was created at {_t(ticket.created_at)} (the sweep missed it?)"
                if last_tick and last_tick > ticket.created_at
                else f"{ticket.key}: no page, and no tick seen after its creation at "
                f"{_t(ticket.created_at)}: the engine never ran (beat or worker down?)",
            )
            continue
        if len(pages) > 1:
            result.problem(
                "duplicated_events",
                f"{ticket.key}: {len(pages)} pages started "
                f"({', '.join(_t(p.started_at) for p in pages)})",
                len(pages) - 1,
            )
        page = pages[0]
        recipients = list(PageRecipient.objects.filter(page=page))
        acknowledged = page.state != PageState.TRIGGERED and page.acknowledged_at is not None
        for level, people in enumerate(levels):
            notified = {r.user_id: r for r in recipients if r.level == level and r.round == 0}
            # Level 1 is always owed; a later level only while nobody has acknowledged (an
            # acknowledgement racing the step may land on either side of it).
            owed = level == 0 or not acknowledged
            for person in people:
                if person.pk not in notified:
                    if owed:
                        result.problem(
                            "lost_events",
                            f"{ticket.key}: level {level + 1} never paged {person.username}; "
                            f"the page is at level {page.level + 1}, next step due "
                            f"{_t(page.next_step_at)}, last tick seen {_t(last_tick)}",
                        )
                    continue
                key = _step_key(page, 0, level, person.pk)
                if rows.get(key) != "sent" or not received[key]:
                    result.problem(
                        "lost_messages",
                        f"page email {key}: outbox row {rows.get(key, 'missing')}, "
                        f"{received[key]} received by the SMTP server",
                    )
        if acknowledged:
            late = [r for r in recipients if r.notified_at > page.acknowledged_at]
            if late:
                result.problem(
                    "untimely_events",
                    f"{ticket.key}: acknowledged at {_t(page.acknowledged_at)}, then paged "
                    + ", ".join(f"level {r.level + 1} at {_t(r.notified_at)}" for r in late),
                    len(late),
                )
            if page.next_step_at is not None:
                result.problem(
                    "untimely_events",
                    f"{ticket.key}: acknowledged at {_t(page.acknowledged_at)} and still has a "
                    f"next step due {_t(page.next_step_at)}",
                )
        extra = [r for r in recipients if r.round > 0 or r.level >= len(levels)]
        if extra:
            result.problem(
                "untimely_events",
                f"{ticket.key}: paged beyond its policy (no repeat round): "
                + ", ".join(f"round {r.round + 1} level {r.level + 1}" for r in extra),
                len(extra),
            )

    for key, n in received.items():
        if key and key.startswith("page:") and n > 1:
            result.problem("duplicated_messages", f"page email {key} received {n} times", n - 1)
    for key, n in Counter(Notification.objects.values_list("dedup_key", flat=True)).items():
        if n > 1:
            result.problem("duplicated_notifications", f"bell notice {key} stored {n} times", n - 1)
    return result


def settled(tickets, levels: list[list[User]]) -> bool:
    """Every ticket has its page, and each page is acknowledged or has paged its last level, with
    every email it owes sent."""
    pages = list(Page.objects.filter(ticket__in=tickets, reason=PageReason.SEVERITY))
    if len({p.ticket_id for p in pages}) < len(tickets):
        return False
    for page in pages:
        if page.state == PageState.TRIGGERED and (
            page.next_step_at is not None or page.level + 1 < len(levels)
        ):
            return False
    return not OutboundMessage.objects.filter(
        dedup_key__startswith="page:", status__in=["pending", "sending"]
    ).exists()
