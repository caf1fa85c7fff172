"""The postmortem as a Markdown document: every section in the seed's order, the impact
figures, the visible timeline (starred entries in bold) and the action items."""

from __future__ import annotations

from .impact import impact
from .models import SECTIONS, Postmortem


def _people(user) -> str:
    return user.display_name if user else "unassigned"


def _block(text: str) -> str:
    return text.strip() or "_Not written yet._"


def to_markdown(postmortem: Postmortem) -> str:
    ticket = postmortem.ticket
    figures = impact(ticket)
    lines = [
        f"# Postmortem: {ticket.key} {ticket.title}",
        "",
        f"- State: {postmortem.get_state_display()} ({postmortem.get_requirement_display()}: "
        f"{postmortem.reason})",
        f"- Severity: P{ticket.severity}",
        f"- Owner: {_people(postmortem.owner)}",
        f"- Reviewer: {_people(postmortem.reviewer)}",
    ]
    if postmortem.published_at:
        lines.append(f"- Published: {postmortem.published_at:%Y-%m-%d %H:%M} UTC")
    for field, title, _ in SECTIONS:
        lines += ["", f"## {title}", ""]
        if field == "impact":
            lines += [
                f"- Duration: {figures.duration_text}",
                f"- Affected customers: {', '.join(figures.organizations) or 'none recorded'}",
                f"- Affected tickets: {figures.affected_tickets}",
                f"- SLA breaches: {figures.sla_breaches}",
                "",
            ]
        lines.append(_block(getattr(postmortem, field)))
        if field == "impact":
            lines += ["", "## Timeline", "", "| Time (UTC) | Event |", "| --- | --- |"]
            for entry in postmortem.entries.filter(hidden=False).order_by("at", "id"):
                text = entry.text.replace("|", "\\|")
                text = f"**{text}**" if entry.starred else text
                lines.append(f"| {entry.at:%Y-%m-%d %H:%M} | {text} |")
    lines += ["", "## Action items", ""]
    items = list(postmortem.actions.select_related("owner").order_by("due_at", "id"))
    if not items:
        lines.append("_None yet._")
    for item in items:
        done = "x" if item.status != "open" else " "
        link = f" ({item.link})" if item.link else ""
        lines.append(
            f"- [{done}] {item.title} — {item.get_kind_display()}, {_people(item.owner)}, "
            f"due {item.due_at:%Y-%m-%d}, {item.get_status_display()}{link}"
        )
    return "\n".join(lines) + "\n"
