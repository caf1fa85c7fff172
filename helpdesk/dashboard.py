"""The manager dashboard's shell and the agent's "My work" page.

The shell owns the range and the filters; every figure is a panel another app renders itself
(helpdesk.panels, slot "dashboard"), loaded with the shell's query string. Filter choices come
from the apps too (`register_filter`), so the platform imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from helpdesk import clock, panels
from helpdesk.access import agent_side_required
from helpdesk.dashboard_layout import PROMISED
from helpdesk.dashboard_panel import manager_required

SLOT = "dashboard"
MY_WORK_SLOT = "my-work"
PRESETS = {"7": "7 days", "30": "30 days", "90": "90 days", "all": "All time", "custom": "Custom"}
DEFAULT_PRESET = "30"


@dataclass(frozen=True)
class Filter:
    """One filter of the dashboard. `choices()` lists (value, label); `resolve(typed)` turns
    what was typed in a picker into (value, label), or None; `picker` is the URL name of the
    picker's options (a bounded list for what was typed)."""

    name: str
    label: str
    choices: Callable[[], list[tuple[str, str]]] | None = None
    resolve: Callable[[str], tuple[str, str] | None] | None = None
    picker: str = ""


_filters: dict[str, Filter] = {}


def register_filter(flt: Filter) -> None:
    _filters[flt.name] = flt


@dataclass(frozen=True)
class Card:
    title: str
    url: str  # empty: no app provides it


def _range(params, today: date) -> tuple[str, date | None, date | None, list[str]]:
    preset = params.get("range") or DEFAULT_PRESET
    errors: list[str] = []
    if preset not in PRESETS:
        errors.append(f"Unknown range “{preset[:20]}”: showing the last 30 days.")
        preset = DEFAULT_PRESET
    if preset == "all":
        return preset, None, None, errors
    if preset != "custom":
        return preset, today - timedelta(days=int(preset) - 1), today, errors
    if not params.get("start") and not params.get("end"):
        return preset, today - timedelta(days=29), today, errors
    try:
        start = date.fromisoformat(params.get("start") or "")
        end = date.fromisoformat(params.get("end") or "")
    except ValueError:
        errors.append("A custom range needs a start and an end date: showing the last 30 days.")
        return DEFAULT_PRESET, today - timedelta(days=29), today, errors
    if end < start:
        errors.append("The range ends before it starts: the two dates were swapped.")
        start, end = end, start
    return preset, start, end, errors


def _filter_values(params) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(values passed to panels, what the form shows, errors)."""
    values, shown, errors = {}, {}, []
    for flt in _filters.values():
        raw = (params.get(flt.name) or "").strip()[:80]
        if not raw:
            continue
        shown[flt.name] = raw
        if flt.resolve:
            found = flt.resolve(raw)
            if found is None:
                errors.append(f"No {flt.label.lower()} matches “{raw}”: not filtered by it.")
                continue
            values[flt.name], shown[flt.name] = found
        elif flt.choices and raw not in {value for value, _ in flt.choices()}:
            errors.append(f"Unknown {flt.label.lower()} “{raw}”: not filtered by it.")
        else:
            values[flt.name] = raw
    return values, shown, errors


def _cards(slot: str, promised: list[tuple[str, str]], query: str) -> list[Card]:
    registered = {p.url_name: p for p in panels.entries(slot)}
    cards = []
    for url_name, title in promised:
        panel = registered.pop(url_name, None)
        cards.append(Card(title=title, url=_url(url_name, query) if panel else ""))
    cards.extend(
        Card(title=p.title or p.url_name, url=_url(p.url_name, query)) for p in registered.values()
    )
    return cards


def _url(url_name: str, query: str) -> str:
    try:
        return f"{reverse(url_name)}?{query}"
    except NoReverseMatch:
        return ""


@manager_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = clock.now().date()
    preset, start, end, errors = _range(request.GET, today)
    values, shown, filter_errors = _filter_values(request.GET)
    query = {**({"start": start.isoformat(), "end": end.isoformat()} if start else {}), **values}
    ctx = {
        "presets": [(key, label, _preset_url(request.GET, key)) for key, label in PRESETS.items()],
        "preset": preset,
        "start": start,
        "end": end,
        "filters": [
            {
                "name": f.name,
                "label": f.label,
                "choices": f.choices() if f.choices else None,
                "picker": f.picker,
                "value": shown.get(f.name, ""),
            }
            for f in _filters.values()
        ],
        "errors": errors + filter_errors,
        "cards": _cards(SLOT, PROMISED, urlencode(query)),
    }
    return render(request, "helpdesk/dashboard.html", ctx)


def _preset_url(params, preset: str) -> str:
    kept = {k: v for k, v in params.items() if k not in ("range", "start", "end") and v}
    return f"?{urlencode({'range': preset, **kept})}"


@agent_side_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    ctx = {"cards": _cards(MY_WORK_SLOT, [], "")}
    return render(request, "helpdesk/dashboard_me.html", ctx)
