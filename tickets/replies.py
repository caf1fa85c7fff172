"""Reply templates: canned replies from the playbook, filled in from the ticket.

Templates are edited in the admin, so their bodies are untrusted text. They are rendered by a
standalone template engine that knows only a few harmless tags and filters (`if`, `firstof`,
`comment`, text filters; no `include`, `load`, `debug`, `url`, nor `for`, which could nest into
an endless render), and the context holds only plain strings, so a template can
neither reach a model nor leak anything beyond the values listed in `template_context`.
The result is Markdown; it is sanitised later, like every comment (helpdesk.markdown.render).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.template import (
    Context,
    Engine,
    Library,
    Template,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)

from helpdesk.models import User

from .choices import Severity, Status
from .models import ReplyTemplate, Ticket
from .sla import clocks

logger = logging.getLogger(__name__)

# The playbook's update cadence (seed 003), used when no SLA policy matches the ticket.
_DEFAULT_UPDATE_INTERVAL = {
    Severity.P1: timedelta(minutes=30),
    Severity.P2: timedelta(hours=2),
    Severity.P3: timedelta(hours=24),
    Severity.P4: None,
}
NO_CADENCE = "when we have news"

_library = Library()
for _name, _tag in (
    ("if", defaulttags.do_if),
    ("firstof", defaulttags.firstof),
    ("comment", defaulttags.comment),
):
    _library.tag(_name, _tag)
for _name in (
    "default",
    "upper",
    "lower",
    "title",
    "capfirst",
    "truncatechars",
    "truncatewords",
    "yesno",
    "cut",
):
    _library.filter(_name, getattr(defaultfilters, _name))


class _SandboxEngine(Engine):
    """An engine whose only builtins are the library above and which loads nothing else."""

    default_builtins: list[str] = []

    def get_template_builtins(self, builtins):
        return [_library]

    def get_template_libraries(self, libraries):
        return {}


_engine = _SandboxEngine(loaders=[], autoescape=False, string_if_invalid="")


def offered_templates(ticket: Ticket) -> list[ReplyTemplate]:
    """The active templates an agent may use on this ticket: none that asks a security
    reporter for details (the playbook: no details over unencrypted channels)."""
    templates = ReplyTemplate.objects.filter(is_active=True)
    if ticket.is_security:
        templates = templates.filter(on_security_tickets=True)
    return list(templates)


def offered_template(ticket: Ticket, slug: str) -> ReplyTemplate | None:
    """One template by slug, or None when it is unknown, inactive or not offered here."""
    return next((t for t in offered_templates(ticket) if t.slug == slug), None)


def _human_interval(interval: timedelta | None) -> str:
    if interval is None:
        return NO_CADENCE
    minutes = int(interval.total_seconds() // 60)
    if minutes < 60 or minutes % 60:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"in {hours} hour{'s' if hours != 1 else ''}"


def _update_interval(ticket: Ticket) -> timedelta | None:
    policy = clocks.policy_for(ticket)
    if policy is not None:
        return policy.update_interval
    return _DEFAULT_UPDATE_INTERVAL.get(Severity(ticket.severity))


def template_context(*, ticket: Ticket, agent: User) -> dict[str, str]:
    """The variables a reply template may use. Values are plain strings, never objects.

    `customer_name` is the requester's name, or "<Organization> team" when the ticket has no
    requester. `next_update` follows the update cadence of the ticket's SLA policy (the
    playbook's: P1 every 30 minutes, P2 every 2 hours, P3 daily, P4 as needed).
    """
    organization = ticket.organization.name
    requester = ticket.requester
    return {
        "customer_name": requester.display_name if requester else f"{organization} team",
        "ticket_key": ticket.key,
        "ticket_title": ticket.title,
        "severity": f"P{ticket.severity} {Severity(ticket.severity).label}",
        "status": Status(ticket.status).label,
        "organization": organization,
        "agent_name": agent.display_name,
        "next_update": _human_interval(_update_interval(ticket)),
    }


def render_reply(template: ReplyTemplate, *, ticket: Ticket, agent: User) -> str:
    """The template's body with the ticket's values filled in; bracketed blanks such as
    `[Key finding 1]` stay for the agent to complete. Unknown variables render empty. A body that
    is not a valid template (a typo made in the admin) comes back unrendered rather than breaking
    the composer."""
    try:
        compiled = Template(template.body, engine=_engine)
    except TemplateSyntaxError:
        logger.warning("Reply template %r is not a valid template", template.slug, exc_info=True)
        return template.body
    context = Context(template_context(ticket=ticket, agent=agent), autoescape=False)
    return compiled.render(context).strip()


def check_template_body(body: str) -> str | None:
    """Why a template body would not render (for the admin form), or None when it is fine."""
    try:
        Template(body, engine=_engine)
    except TemplateSyntaxError as exc:
        return str(exc)
    return None
