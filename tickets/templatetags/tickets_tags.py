from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from django import template
from django.utils.safestring import mark_safe

from helpdesk import clock
from helpdesk import markdown as md
from helpdesk.markup import format_html
from helpdesk.widgets import option_tags
from tickets.choices import EventKind, Severity, Status, customer_status_label
from tickets.sla import calendars, durations
from tickets.sla.businesstime import business_time_between

register = template.Library()


@register.filter
def ago(value: datetime | None) -> str:
    """Compact age for dense tables: 45s, 12m, 3h, 5d, 8w."""
    if not value:
        return ""
    seconds = max(0, int((clock.now() - value).total_seconds()))
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@register.filter
def initials(user) -> str:
    if not user:
        return "?"
    name = user.display_name if hasattr(user, "display_name") else str(user)
    parts = [p for p in name.replace(".", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


# The pills have a handful of values each and appear on every row of a list: built once.
@register.simple_tag
@functools.cache
def severity_pill(severity: int):
    label = Severity(severity).label
    return format_html(
        '<span class="pill sev sev-{}" title="{}">P{} · {}</span>', severity, label, severity, label
    )


@register.simple_tag
@functools.cache
def status_pill(status: str):
    return format_html('<span class="pill status-{}">{}</span>', status, Status(status).label)


@register.simple_tag
@functools.cache
def tier_badge(tier: str):
    return format_html('<span class="tier tier-{}">{}</span>', tier, tier)


def _label(value) -> str:
    if isinstance(value, dict):
        return value.get("label", "")
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value).replace("_", " ")


_SUMMARISED_FIELDS = frozenset({"macro", "followers", "cc"})


@register.filter
def event_summary(event) -> str:
    """One line for a timeline event, e.g. 'changed status from New to Investigating'."""
    kind, field = event.kind, event.field.replace("_", " ")
    before, after = event.before, event.after
    if kind == EventKind.CREATED:
        return "opened the ticket"
    if kind == EventKind.STATUS:
        return f"changed status from {Status(before).label} to {Status(after).label}"
    if kind == EventKind.SEVERITY:
        old, new = Severity(before), Severity(after)
        return f"changed severity from P{before} {old.label} to P{after} {new.label}"
    if kind == EventKind.ASSIGNED:
        return f"assigned to {_label(after)}" if after else f"unassigned {_label(before)}"
    if kind == EventKind.ATTACHMENT:
        return f"attached {after}"
    if kind == EventKind.TAGS:
        return f"set tags to {_label(after)}"
    if kind == EventKind.SLA:
        what = {
            "first_response": "first response",
            "update": "customer update",
            "resolution": "resolution",
        }.get(event.field, event.field)
        if after == "fulfilled_by_commitment":
            return f"SLA {what} target met by a commitment (root cause identified with a timeline)"
        return f"SLA {what} {'target breached' if after == 'breached' else 'warning: due soon'}"
    if kind == EventKind.PAGE:
        return (after or {}).get("summary", "on-call page")
    if kind == EventKind.ESCALATION:
        return (after or {}).get("summary", "escalated")
    if kind == EventKind.FIELD and event.field in _SUMMARISED_FIELDS:
        # Macros, followers and CC say in their own words what they did.
        return (after or before or {}).get("summary", event.field)
    if kind in (EventKind.MERGE, EventKind.FOLLOW_UP):
        return merge_summary(event)
    if kind == EventKind.LINK:
        if after:
            return f"set {field} to {_label(after)}"
        return f"removed {field} {_label(before)}"
    return f"changed {field} from {_label(before)} to {_label(after)}"


def _moved(data: dict) -> str:
    parts = [
        f"{data.get('comments', 0)} comment{'s' if data.get('comments') != 1 else ''}",
        f"{data.get('attachments', 0)} attachment{'s' if data.get('attachments') != 1 else ''}",
    ]
    if data.get("requester"):
        parts.append(f"{data['requester']} as CC")
    return ", ".join(parts)


def merge_summary(event) -> str:
    """Merges and follow-ups name the ticket on the other side (tickets/merge.py, followup.py)."""
    data = event.after or {}
    if event.field == "merged_into":
        return f"merged this ticket into {data.get('into')} ({_moved(data)} moved there)"
    if event.field == "merged_in":
        return f"merged {data.get('from')} into this ticket ({_moved(data)} moved here)"
    if event.field == "follow_up_of":
        return f"opened this ticket as a follow-up of {data.get('of')}"
    return f"opened {data.get('follow_up')} as a follow-up of this ticket"


@register.filter
def markdown(text: str) -> str:
    """User Markdown, rendered and sanitised by nh3 (helpdesk.markdown)."""
    return mark_safe(md.render(text))  # noqa: S308 - nh3 has cleaned it


def _short(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h {minutes % 60:02d}m"
    return f"{minutes // (24 * 60)}d {minutes // 60 % 24}h"


_SLA_SHORT = {"first_response": "Response", "update": "Update", "resolution": "Resolve"}


@register.simple_tag
def sla_badge(ticket):
    """The next SLA target at a glance: ok / warning / breached / paused, with business time."""
    if not ticket.is_open:
        return ""
    if ticket.sla_paused:
        return format_html(
            '<span class="sla sla-paused" title="Clock paused while {}">Paused</span>',
            ticket.get_status_display().lower(),
        )
    if not ticket.sla_due_at:
        return format_html('<span class="sla sla-none">—</span>')
    now = clock.now()
    label = _SLA_SHORT.get(ticket.sla_kind, "SLA")
    if now >= ticket.sla_due_at:
        return format_html(
            '<span class="sla sla-breached" title="{} target breached at {}">{} −{}</span>',
            label,
            ticket.sla_due_at,
            label,
            _short(now - ticket.sla_due_at),
        )
    spec = calendars.spec_for(ticket.sla_calendar_id) if ticket.sla_calendar_id else None
    left = business_time_between(spec, now, ticket.sla_due_at) if spec else ticket.sla_due_at - now
    state = "warning" if ticket.sla_warn_at and now >= ticket.sla_warn_at else "ok"
    return format_html(
        '<span class="sla sla-{}" title="{} due {} (business time left)">{} {}</span>',
        state,
        label,
        ticket.sla_due_at,
        label,
        _short(left),
    )


@register.filter
def duration_short(value: timedelta | None) -> str:
    return _short(value) if value is not None else "—"


@register.simple_tag
def business_duration(value: timedelta | None, calendar_id: int | None) -> str:
    """A target on its calendar: '48 business hours, about 6 working days on this calendar'."""
    return durations.describe(value, calendars.spec_for(calendar_id) if calendar_id else None)


@register.simple_tag
def business_hours(value: timedelta | None, calendar_id: int | None) -> str:
    """Business time used or left, in hours ('3 business hours 20 min'; plain hours on a
    calendar that never closes)."""
    if value is None:
        return "—"
    spec = calendars.spec_for(calendar_id) if calendar_id else None
    return durations.hours_text(value, business=not (spec and durations.is_around_the_clock(spec)))


@register.simple_tag
def options(choices, selected=None):
    """`<option>`s for a select, built in one pass: the queue's agent pickers have hundreds of
    entries, which a template loop (or format_html per entry) renders many times slower.
    `choices` are (value, label) pairs; `selected` is one value or a collection of them."""
    if isinstance(selected, list | tuple | set):
        chosen = {str(v) for v in selected}
    else:
        chosen = set() if selected in (None, "") else {str(selected)}
    return mark_safe(option_tags(choices, chosen))  # noqa: S308 - option_tags escapes


@register.filter
def customer_status(status: str) -> str:
    return customer_status_label(status)


@register.filter
def iso(value: datetime | None) -> str:
    """ISO 8601 for `<time datetime>` (what the date filter's "c" gives, without its cost)."""
    return value.isoformat() if value else ""


@register.filter
def stamp(value: datetime | None) -> str:
    """An exact UTC time for tooltips (strftime: the localised date filter is slow in tables)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""
