"""Rows of the agent queue, the customer portal list and the ticket timeline: one tag call each.

A list page shows 50 rows of up to ten cells. Written as template markup that is about 1,500
variable lookups and filters per page, which the template language takes 25-35 ms to render:
more than half of the queue's 50 ms budget (DESIGN.md section 10). Here each row is one
`format_html` of `helpdesk.markup` (every value escaped), composed from the pills and badges of
`tickets_tags`, so a pill looks the same on every page.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from helpdesk.markup import format_html, join
from tickets import previews
from tickets.choices import Severity, Status, customer_status_label
from tickets.templatetags.tickets_tags import (
    ago,
    event_summary,
    initials,
    iso,
    severity_pill,
    sla_badge,
    stamp,
    status_pill,
    tier_badge,
)

register = template.Library()

_QUEUE_ROW = (
    '<tr class="{row_class}" data-href="{url}">'
    '<td class="col-check"><input type="checkbox" name="ids" value="{pk}"'
    ' aria-label="Select {key}"{checked}></td>'
    '<td><a class="t-title" href="{url}">{title}</a> <span class="t-key">{key}</span>'
    ' <span class="t-sub">· {category}{security}{tags}</span></td>'
    '<td class="q-sev">{severity}</td>'
    '<td class="q-sla">{sla}</td>'
    '<td class="q-status">{status}</td>'
    '<td class="col-hide-sm"><span class="t-org">{organization}</span> {tier}</td>'
    '<td class="col-hide-sm">{assignee}</td>'
    '<td class="col-hide-lg small nowrap">{team}</td>'
    '<td class="ago col-hide-lg" title="{created_stamp}">{created_ago}</td>'
    '<td class="ago q-updated" title="{updated_stamp}">{updated_ago}</td>'
    "</tr>"
)
_SECURITY_TAG = mark_safe(' · <span class="tag tag-security">security</span>')
_UNASSIGNED = mark_safe('<span class="unassigned">Unassigned</span>')
_CHECKED = mark_safe(" checked")


def _person(name: str, label: str | None = None) -> SafeString:
    """Avatar initials of `name`, then `label` (the name itself unless given, "You" say)."""
    return format_html(
        '<span class="who"><span class="avatar" aria-hidden="true">{}</span>{}</span>',
        initials(name),
        label or name,
    )


@register.simple_tag
def queue_row(row, selected=frozenset()):
    """One row of the agent queue (a tickets.queue_row.QueueRow): severity, SLA time left,
    status, customer and tier, assignee, team, age and last change. `selected` holds the ids
    ticked before an HTMX refresh."""
    is_selected = row.id in selected
    row_class = f"sev{row.severity}-row" if row.severity <= 2 else ""
    if is_selected:
        row_class = f"{row_class} is-selected".strip()
    assignee = row.assignee_name
    return format_html(
        _QUEUE_ROW,
        row_class=row_class,
        url=row.get_absolute_url(),
        pk=row.id,
        key=row.key,
        checked=_CHECKED if is_selected else "",
        title=row.title,
        category=row.get_category_display(),
        security=_SECURITY_TAG if row.is_security else "",
        tags=join(format_html(' <span class="tag">{}</span>', tag) for tag in row.tags[:3]),
        severity=severity_pill(row.severity),
        sla=sla_badge(row),
        status=status_pill(row.status),
        organization=row.organization_name,
        tier=tier_badge(row.organization_tier),
        assignee=_person(assignee) if assignee else _UNASSIGNED,
        team=row.team_name or "—",
        created_stamp=stamp(row.created_at),
        created_ago=ago(row.created_at),
        updated_stamp=stamp(row.updated_at),
        updated_ago=ago(row.updated_at),
    )


_PORTAL_ROW = (
    '<tr class="{row_class}">'
    '<td class="t-key"><a href="{url}">{key}</a></td>'
    '<td class="portal-subject"><a class="t-title" href="{url}">{title}</a>{cc}'
    ' <span class="t-sub portal-sub">{key} · {opened_by}</span></td>'
    '<td><span class="pill status-{status}">{status_label}</span></td>'
    '<td><span class="pill sev sev-{severity}" title="{severity_label}">P{severity}'
    '<span class="portal-sev-label"> · {severity_label}</span></span></td>'
    '<td><time class="ago" datetime="{updated_iso}" title="{updated_title}">'
    "{updated_ago}</time></td>"
    '<td class="col-hide-md">{requester}</td>'
    "</tr>"
)
_SUPPORT_TEAM = mark_safe('<span class="muted">Support team</span>')
# The viewer is copied on the ticket (tickets/followers.py): the portal list annotates `is_cc`.
_CC_TAG = mark_safe(' <span class="tag portal-cc" title="You are copied on this ticket">CC</span>')


@functools.cache
def _portal_url_template() -> str:
    # reverse() once per process, as Ticket.get_absolute_url does for the agent side.
    return reverse("portal_ticket", args=["KEY"])


def _local_title(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


@register.simple_tag
def portal_row(ticket, viewer):
    """One row of the customer portal list. Tickets waiting on the customer say so in their words;
    the customer's own tickets say "You"."""
    waiting = ticket.status == Status.WAITING_ON_CUSTOMER
    row_class = ("is-waiting" if waiting else "") + (" sev1-row" if ticket.severity == 1 else "")
    requester = ticket.requester if ticket.requester_id else None
    if requester is None:
        opened_by, requester_cell = "Support team", _SUPPORT_TEAM
    else:
        opened_by = "You" if ticket.requester_id == viewer.pk else requester.display_name
        requester_cell = _person(requester.display_name, opened_by)
    url = _portal_url_template().replace("KEY", ticket.key)
    return format_html(
        _PORTAL_ROW,
        row_class=row_class.strip(),
        url=url,
        key=ticket.key,
        title=ticket.title,
        opened_by=opened_by,
        status=ticket.status,
        status_label=customer_status_label(ticket.status),
        severity=ticket.severity,
        severity_label=Severity(ticket.severity).label,
        updated_iso=timezone.localtime(ticket.updated_at).isoformat(),
        updated_title=_local_title(ticket.updated_at),
        updated_ago=ticket.updated_ago,
        requester=requester_cell,
        cc=_CC_TAG if getattr(ticket, "is_cc", False) else "",
    )


_COMMENT = (
    '<li id="c{comment_id}">'
    '<span class="tl-dot {dot}"></span>'
    '<article class="comment{note_class}">'
    '<header class="comment-head">'
    '<span class="who"><span class="avatar" aria-hidden="true">{initials}</span>'
    " <strong>{author}</strong>{customer}{note_label}</span>"
    ' <time class="faint" datetime="{iso}" title="{stamp}">{ago} ago</time>'
    "</header>"
    '<div class="comment-body">{body}</div>'
    "{files}"
    "</article></li>"
)
_EVENT = (
    '<li class="tl-event"><span class="tl-dot"></span>'
    "<strong>{actor}</strong> {summary}"
    ' <time class="faint" datetime="{iso}" title="{stamp}">· {ago} ago</time></li>'
)
_FILE = (
    '<a href="{url}"><span class="i i-clip" aria-hidden="true"></span>{name}'
    ' <span class="faint">{size}</span></a>'
)
# An image shown in place; `link` is the _FILE link (the download), kept beside it.
_THUMB = (
    '<li class="att-preview"><a class="att-thumb" href="{view}" target="_blank" rel="noopener"'
    ' title="Open full size"><img src="{view}" alt="{name}" loading="lazy"'
    ' decoding="async"></a>{link}</li>'
)
_VIEW = (
    '<li class="att-preview">{link} <a class="att-view small" href="{view}" target="_blank"'
    ' rel="noopener" title="Open it in the browser">View</a></li>'
)
_CUSTOMER_TAG = mark_safe(' <span class="tag">customer</span>')
_NOTE_LABEL = mark_safe(' <span class="note-label">Internal note</span>')


_PK = 2_147_483_647  # stands for the attachment's id in a link reversed once


@functools.cache
def _download_url_template() -> str:
    return reverse("attachment_download", args=[_PK])


@functools.cache
def _inline_url_template() -> str:
    return reverse("attachment_inline", args=[_PK])


def _file(a) -> SafeString:
    """A file of a comment: its download link, with an image's thumbnail (full size on click)
    or a "View" link for text and PDF (tickets/previews.py)."""
    pk = str(a.pk)
    item = format_html(
        _FILE,
        url=_download_url_template().replace(str(_PK), pk),
        name=a.original_name,
        size=filesizeformat(a.size),
    )
    kind = previews.preview_kind(a)
    if kind is None:
        return format_html("<li>{}</li>", item)
    view = _inline_url_template().replace(str(_PK), pk)
    if previews.has_thumbnail(a):
        return format_html(_THUMB, view=view, name=a.original_name, link=item)
    return format_html(_VIEW, view=view, link=item)


@register.simple_tag
def attachment_item(attachment) -> SafeString:
    """One file as a list item with its preview, for pages other than the agent's timeline (the
    portal's conversation)."""
    return _file(attachment)


def _files(files) -> SafeString | str:
    if not files:
        return ""
    return format_html('<ul class="attachments">{}</ul>', join(_file(a) for a in files))


@register.simple_tag
def timeline_entry(entry):
    """One entry of the agent's timeline (a tickets.timeline.TimelineEntry): a comment with its
    author, internal-note label and files, or a one-line event. The comment's HTML was rendered
    from Markdown and sanitised when it was written (helpdesk.markdown)."""
    when = {"iso": iso(entry.created_at), "stamp": stamp(entry.created_at)}
    when["ago"] = ago(entry.created_at)
    if not entry.comment_id:
        return format_html(
            _EVENT, actor=entry.actor_name or "System", summary=event_summary(entry), **when
        )
    internal = entry.comment_is_internal
    return format_html(
        _COMMENT,
        comment_id=entry.comment_id,
        dot="dot-note" if internal else "dot-reply",
        note_class=" comment-note" if internal else "",
        initials=initials(entry.author_name),
        author=entry.author_name or "Someone",
        customer=_CUSTOMER_TAG if entry.author_is_customer else "",
        note_label=_NOTE_LABEL if internal else "",
        body=mark_safe(entry.body_html),  # noqa: S308 - sanitised by nh3 when written
        files=_files(entry.files),
        **when,
    )
