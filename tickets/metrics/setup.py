"""Puts the ticket core's panels on the dashboard and offers its filters (called from
TicketsConfig.ready)."""

from __future__ import annotations

from helpdesk import dashboard, panels

from ..choices import Channel, Severity, Tier
from ..models import Organization, Team
from .panels import PANELS


def _teams() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Team.objects.values_list("pk", "name")]


def _organization(typed: str) -> tuple[str, str] | None:
    """By slug, else by name (any case): the queue's picker offers names."""
    found = (
        Organization.objects.filter(slug=typed).values_list("pk", "name").first()
        or Organization.objects.filter(name__iexact=typed).values_list("pk", "name").first()
    )
    return (str(found[0]), found[1]) if found else None


def connect() -> None:
    for name, title, _ in PANELS:
        panels.register(dashboard.SLOT, f"metrics:{name}", title=title)
    panels.register(dashboard.MY_WORK_SLOT, "metrics:my_work", title="My open tickets and times")
    for flt in (
        dashboard.Filter("team", "Team", choices=_teams),
        dashboard.Filter(
            "severity",
            "Severity",
            choices=lambda: [(str(s.value), f"{s.code} {s.label}") for s in Severity],
        ),
        dashboard.Filter(
            "organization", "Organization", resolve=_organization, picker="queue_organizations"
        ),
        dashboard.Filter("tier", "Tier", choices=lambda: list(Tier.choices)),
        dashboard.Filter("channel", "Channel", choices=lambda: list(Channel.choices)),
    ):
        dashboard.register_filter(flt)
