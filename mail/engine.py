"""The engine's mail module: ingests the messages stored but not ingested yet, those the mail
server's pipe stored and those whose ingest died with its process. Each is routed in its own
savepoint by `mail.inbound.ingest`, which holds a message that fails rather than retrying it
for ever."""

from __future__ import annotations

import time
from datetime import datetime

from . import inbound
from .models import InboundMessage, Status

BATCH = 20
# The tick runs every module in turn: mail takes at most this much of it, the rest waits.
TIME_BUDGET_SECONDS = 2.0


def run(now: datetime) -> int:
    started = time.monotonic()
    done = 0
    while time.monotonic() - started < TIME_BUDGET_SECONDS:
        batch = list(
            InboundMessage.objects.filter(status=Status.RECEIVED)
            .order_by("received_at", "id")
            .select_for_update(skip_locked=True)
            .only("id")[:BATCH]
        )
        for message in batch:
            inbound.ingest(message)
        done += len(batch)
        if len(batch) < BATCH:
            break
    return done


def oldest_due() -> datetime | None:
    return (
        InboundMessage.objects.filter(status=Status.RECEIVED)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
