"""Signals about tickets, sent after commit. Satellites listen here and only enqueue their work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.db import transaction
from django.dispatch import Signal

ticket_created = Signal()  # ticket_id, actor_id
ticket_changed = Signal()  # ticket_id, actor_id, changes: {field: (before, after)}
ticket_status_changed = Signal()  # ticket_id, actor_id, before, after
comment_added = Signal()  # ticket_id, comment_id, actor_id, is_internal


_muted = False


def send_after_commit(signal: Signal, **kwargs) -> None:
    if not _muted:
        transaction.on_commit(partial(signal.send, sender="tickets", **kwargs))


@contextmanager
def muted() -> Iterator[None]:
    """Write history without telling anyone: changes made inside happened in the past (demo
    history, imports), so no notice, page, survey or suggestion follows them. One thread's
    business only: a management command, never a web request."""
    global _muted
    _muted = True
    try:
        yield
    finally:
        _muted = False
