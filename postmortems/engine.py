"""The postmortems module of the engine tick.

Runs inside the engine's transaction, under its advisory lock:

1. Reminders: drafts past their draft due date, reviews past their review due date and open
   action items past their due date, each reminded once (the row's reminded_at is set in the
   same transaction as the notice; a new due date on an action item clears it). Rows are claimed
   with FOR UPDATE SKIP LOCKED, so a document being edited right now waits for the next tick.
2. The sweep, once a minute: resolved tickets of the last day that need a postmortem and have
   none. The receiver enqueues the draft after the ticket's commit; a process that dies in
   between must not cost the postmortem.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from helpdesk import engine, outbox
from helpdesk.models import EngineState
from tickets.choices import EventKind, Status
from tickets.models import Ticket, TicketEvent

from . import services
from .models import ActionItem, ActionStatus, Postmortem, State

BATCH = 50
TIME_BUDGET_SECONDS = 0.1
SWEEP_EVERY = timedelta(minutes=1)
SWEEP_MARK = "postmortems.sweep"
LOOKBACK = services.BACKDATED


def _notice(user, *, title: str, body: str, url: str, key: str, ticket_id: int):
    return outbox.Notice(user, title, body, url, key, services.KIND, ticket_id)


def _remind_documents(now: datetime) -> int:
    notices, count = [], 0
    for state, due_field, mark, who, what in (
        (State.DRAFT, "draft_due_at", "draft_reminded_at", "owner", "draft"),
        (State.IN_REVIEW, "review_due_at", "review_reminded_at", "reviewer", "review"),
    ):
        rows = list(
            Postmortem.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket", who)
            .filter(state=state, **{f"{mark}__isnull": True, f"{due_field}__lte": now})
            .order_by(due_field)[:BATCH]
        )
        for pm in rows:
            setattr(pm, mark, now)
            pm.save(update_fields=[mark])
            person = getattr(pm, who)
            if person is not None and person.is_active:
                notices.append(
                    _notice(
                        person,
                        title=f"Postmortem {what} overdue: {pm.ticket.key}",
                        body=f"{pm.ticket.title} · {what} was due "
                        f"{getattr(pm, due_field):%d %b %H:%M} UTC",
                        url=reverse("postmortems:detail", args=[pm.pk]),
                        key=f"postmortem:{pm.pk}:{what}_due",
                        ticket_id=pm.ticket_id,
                    )
                )
            count += 1
    if notices:
        outbox.send(notices=notices, now=now)
    return count


def _remind_actions(now: datetime) -> int:
    items = list(
        ActionItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("owner", "postmortem__ticket")
        .filter(status=ActionStatus.OPEN, reminded_at__isnull=True, due_at__lte=now)
        .order_by("due_at")[:BATCH]
    )
    notices = []
    for item in items:
        ActionItem.objects.filter(pk=item.pk).update(reminded_at=now)
        if item.owner is not None and item.owner.is_active:
            ticket = item.postmortem.ticket
            notices.append(
                _notice(
                    item.owner,
                    title=f"Action item overdue: {item.title}"[:200],
                    body=f"From the postmortem of {ticket.key} · due {item.due_at:%d %b} ",
                    url=reverse("postmortems:detail", args=[item.postmortem_id]) + "#actions",
                    key=f"postmortem_action:{item.pk}:due:{item.due_at.timestamp():.0f}",
                    ticket_id=ticket.pk,
                )
            )
    if notices:
        outbox.send(notices=notices, now=now)
    return len(items)


def _sweep(now: datetime, deadline: float) -> int:
    mark = EngineState.objects.filter(name=SWEEP_MARK).first()
    if mark and now - mark.last_tick_at < SWEEP_EVERY:
        return 0
    EngineState.objects.update_or_create(name=SWEEP_MARK, defaults={"last_tick_at": now})
    paged = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.PAGE)
    missing = (
        Ticket.objects.filter(status=Status.RESOLVED, updated_at__gte=now - LOOKBACK)
        .filter(Q(severity__lte=2) | Exists(paged))
        .filter(~Exists(Postmortem.objects.filter(ticket=OuterRef("pk"))))
        .values_list("pk", flat=True)[:BATCH]
    )
    opened = 0
    for ticket_id in list(missing):
        opened += services.postmortem_open_draft(ticket_id=ticket_id, now=now) is not None
        if time.monotonic() >= deadline:
            break
    return opened


def run(now: datetime) -> int:
    deadline = engine.deadline(TIME_BUDGET_SECONDS)
    return _remind_documents(now) + _remind_actions(now) + _sweep(now, deadline)


def oldest_due() -> datetime | None:
    candidates = [
        Postmortem.objects.filter(state=State.DRAFT, draft_reminded_at__isnull=True)
        .order_by("draft_due_at")
        .values_list("draft_due_at", flat=True)
        .first(),
        Postmortem.objects.filter(state=State.IN_REVIEW, review_reminded_at__isnull=True)
        .order_by("review_due_at")
        .values_list("review_due_at", flat=True)
        .first(),
        ActionItem.objects.filter(status=ActionStatus.OPEN, reminded_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first(),
    ]
    return min((d for d in candidates if d is not None), default=None)
