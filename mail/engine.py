"""The engine's mail module: ingests the messages stored but not ingested yet, those the mail
server's pipe stored and those whose ingest died with its process. Each is routed in its own
savepoint by `mail.inbound.ingest`, which holds a message that fails rather than retrying it
for ever."""

from __future__ import annotations

import time
from datetime import datetime

from helpdesk import engine

from . import inbound
from .models import InboundMessage, Status

BATCH = 20
# Mail takes at most this much of a tick (less when the tick's own budget runs out first).
TIME_BUDGET_SECONDS = 2.0


def run(now: datetime) -> int:
    deadline = engine.deadline(TIME_BUDGET_SECONDS)
    done = 0
    while True:  # at least one batch, then more while the time budget lasts
        batch = list(
            InboundMessage.objects.filter(status=Status.RECEIVED)
            .order_by("received_at", "id")
            .select_for_update(skip_locked=True)
            .only("id")[:BATCH]
        )
        for message in batch:
            inbound.ingest(message)
        done += len(batch)
        if len(batch) < BATCH or time.monotonic() >= deadline:
            break
    return done


def oldest_due() -> datetime | None:
    return (
        InboundMessage.objects.filter(status=Status.RECEIVED)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
