"""How a dashboard panel answers (the contract in docs/decisions.md, Dashboard): an HTML card
with headline figures, a chart data island, the numbers as a table, and the same table as CSV.
Every app renders its panel through `render_panel`, so the cards look and behave alike."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Aggregate, F, FloatField, Func
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from helpdesk.models import Role

MANAGERS = (Role.MANAGER, Role.ADMIN)
# What json_script escapes, so the data cannot close its <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def manager_required(view):
    """Managers and admins; anyone else is answered 404 (the page does not exist for them)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role not in MANAGERS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@dataclass(frozen=True)
class Link:
    """A table cell that drills down (to the queue filtered to those tickets)."""

    text: str
    href: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Figure:
    """A headline number: "92.1 %" under "Resolution met"."""

    label: str
    value: str


@dataclass
class Chart:
    type: str  # "bar" or "line"
    labels: list[str]
    series: list[dict] = field(default_factory=list)  # {"name": ..., "values": [...]}
    unit: str = ""

    def add(self, name: str, values: Sequence[float | int | None]) -> Chart:
        self.series.append({"name": name, "values": list(values)})
        return self

    def island(self) -> str:
        data = {"type": self.type, "labels": self.labels, "series": self.series}
        if self.unit:
            data["unit"] = self.unit
        text = json.dumps(data, cls=DjangoJSONEncoder).translate(_ESCAPES)
        return mark_safe(f'<script type="application/json" class="chart-data">{text}</script>')


def render_panel(
    request: HttpRequest,
    *,
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    figures: Sequence[Figure] = (),
    chart: Chart | None = None,
    note: str = "",
    unavailable: str = "",
) -> HttpResponse:
    """The panel's card, or with ?format=csv its table as a CSV download. `unavailable`
    replaces the figures with its reason (never zeros for what is not measured)."""
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.csv"'
        writer = csv.writer(response)
        writer.writerow(columns)
        writer.writerows([str(cell) if cell is not None else "" for cell in row] for row in rows)
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    ctx = {
        "title": title,
        "columns": columns,
        "rows": [[_cell(cell) for cell in row] for row in rows],
        "figures": figures,
        "chart": chart.island() if chart and rows else "",
        "note": note,
        "unavailable": unavailable,
        "csv_url": f"{request.path}?{query.urlencode()}",
        "panel_id": f"panel-{slugify(title)}",
    }
    return render(request, "helpdesk/_dashboard_panel.html", ctx)


def _cell(cell: object) -> dict:
    if isinstance(cell, Link):
        return {"text": cell.text, "href": cell.href}
    return {"text": "–" if cell is None else str(cell), "href": ""}


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def percent_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} %"


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile of an expression: Percentile("minutes", 0.9)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def minutes_between(start: str, end: str) -> Func:
    """The minutes from one datetime column to another, for Percentile."""
    return Func(
        F(end) - F(start),
        function="EXTRACT",
        template="EXTRACT(EPOCH FROM %(expressions)s) / 60",
        output_field=FloatField(),
    )


def duration_text(minutes: float | None) -> str:
    if minutes is None:
        return "–"
    if minutes < 60:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"
