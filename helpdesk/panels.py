"""Slots in shared pages that other apps fill with their own partials (DESIGN.md section 2).

An app registers the URL name of a partial for a slot (`register("ticket-side", "url_name")`)
in its `ready()`; the page that owns the slot renders one `hx-get` placeholder per registered
partial, passing its own key. So the ticket page shows another app's panel without importing it.
A panel may carry a title, which pages that frame their panels as cards (the dashboard) show
while the panel loads.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    url_name: str
    title: str = ""


_slots: dict[str, list[Panel]] = {}


def register(slot: str, url_name: str, *, title: str = "") -> None:
    panels = _slots.setdefault(slot, [])
    if all(panel.url_name != url_name for panel in panels):
        panels.append(Panel(url_name=url_name, title=title))


def registered(slot: str) -> list[str]:
    return [panel.url_name for panel in _slots.get(slot, ())]


def entries(slot: str) -> list[Panel]:
    return list(_slots.get(slot, ()))
