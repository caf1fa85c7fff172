"""The manager dashboard's triage panel: how often agents accept each kind of suggestion
(the panel contract is in docs/decisions.md, Dashboard)."""

from __future__ import annotations

import csv
from datetime import date

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.html import json_script
from django.utils.safestring import mark_safe

from tickets.choices import Channel, Tier

from .selectors import acceptance_rates


class BadFilter(ValueError):
    pass


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name} must be a date like 2026-03-01.") from None


def _int(value: str, name: str, allowed: range | None = None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or (allowed is not None and int(value) not in allowed):
        raise BadFilter(f"{name} must be a number" + (" from 1 to 4." if allowed else "."))
    return int(value)


def _choice(value: str, name: str, choices) -> str:
    if value and value not in choices.values:
        raise BadFilter(f"{name} must be one of {', '.join(choices.values)}.")
    return value


def filters(params) -> dict:
    """The dashboard's query string as acceptance_rates() arguments; BadFilter says why not."""
    found = {
        "start": _day(params.get("start", ""), "start"),
        "end": _day(params.get("end", ""), "end"),
        "team": _int(params.get("team", ""), "team"),
        "severity": _int(params.get("severity", ""), "severity", range(1, 5)),
        "organization": _int(params.get("organization", ""), "organization"),
        "tier": _choice(params.get("tier", ""), "tier", Tier),
        "channel": _choice(params.get("channel", ""), "channel", Channel),
    }
    if found["start"] and found["end"] and found["start"] > found["end"]:
        raise BadFilter("start must not be after end.")
    return found


def acceptance_panel(request: HttpRequest) -> HttpResponse:
    try:
        rates = acceptance_rates(**filters(request.GET))
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="triage-acceptance.csv"'
        writer = csv.writer(response)
        writer.writerow(["kind", "accepted", "overridden", "dismissed", "decided", "rate_pct"])
        for r in rates:
            writer.writerow(
                [r.kind, r.accepted, r.overridden, r.dismissed, r.decided, round(r.rate * 100, 1)]
            )
        return response
    chart = {
        "type": "bar",
        "labels": [r.label for r in rates],
        "series": [{"name": "Accepted (%)", "values": [round(r.rate * 100, 1) for r in rates]}],
    }
    # The contract's data island: json_script's escaping, with the class charts.js looks for.
    island = json_script(chart).replace("<script ", '<script class="chart-data" ', 1)
    ctx = {"rates": rates, "chart": mark_safe(island)}  # noqa: S308 - escaped by json_script
    return render(request, "triage/_dashboard_acceptance.html", ctx)
