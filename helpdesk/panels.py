"""Slots in shared pages that other apps fill with their own partials (DESIGN.md section 2).

An app registers the URL name of a partial for a slot (`register("ticket-side", "url_name")`)
in its `ready()`; the page that owns the slot renders one `hx-get` placeholder per registered
partial, passing its own key. So the ticket page shows another app's panel without importing it.
"""

from __future__ import annotations

_slots: dict[str, list[str]] = {}


def register(slot: str, url_name: str) -> None:
    names = _slots.setdefault(slot, [])
    if url_name not in names:
        names.append(url_name)


def registered(slot: str) -> list[str]:
    return list(_slots.get(slot, ()))
