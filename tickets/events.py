"""Signals about tickets, sent after commit. Satellites listen here and only enqueue their work."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.dispatch import Signal

ticket_created = Signal()  # ticket_id, actor_id
ticket_changed = Signal()  # ticket_id, actor_id, changes: {field: (before, after)}
ticket_status_changed = Signal()  # ticket_id, actor_id, before, after
comment_added = Signal()  # ticket_id, comment_id, actor_id, is_internal


def send_after_commit(signal: Signal, **kwargs) -> None:
    transaction.on_commit(partial(signal.send, sender="tickets", **kwargs))
