"""The demo's SLA policies: the per-tier and per-channel tables of the seeds, installed before
the playbook's defaults so /sla/ shows them deciding (first match wins, DESIGN.md section 5).

- Seed 000, the enterprise contract: acknowledge critical in 5 minutes, high in 15, medium in
  an hour, low in a day; updates and resolution as the playbook's.
- Seed 002, response times by channel: email answers a high-severity ticket in 2 hours where
  chat answers in 1; critical is "ASAP" by email and under 15 minutes in chat (the playbook's
  15 minutes for both); medium 4 hours and low 24 hours on either.

The enterprise rows come first: a contract's promise is stricter than a channel's.
"""

from __future__ import annotations

from datetime import timedelta

from tickets.choices import Channel, Tier
from tickets.models import BusinessCalendar, SlaPolicy

M = timedelta(minutes=1)
H = timedelta(hours=1)
D = timedelta(days=1)

# The playbook's update cadence and resolution targets (seed 003), by severity.
UPDATE = {1: 30 * M, 2: 2 * H, 3: 24 * H, 4: None}
RESOLUTION = {1: 4 * H, 2: 8 * H, 3: 72 * H, 4: 7 * D}
CALENDAR = {1: "24/7", 2: "24/7", 3: "Weekdays 24x5", 4: "Weekdays 24x5"}
LABEL = {1: "Critical", 2: "High", 3: "Medium", 4: "Low"}

ENTERPRISE_FIRST_RESPONSE = {1: 5 * M, 2: 15 * M, 3: 1 * H, 4: 24 * H}
CHANNEL_FIRST_RESPONSE = {
    Channel.EMAIL: {1: 15 * M, 2: 2 * H, 3: 4 * H, 4: 24 * H},
    Channel.CHAT: {1: 15 * M, 2: 1 * H, 3: 4 * H, 4: 24 * H},
}


def _policy(name: str, *, position: int, severity: int, **match) -> None:
    calendar = BusinessCalendar.objects.get(name=CALENDAR[severity])
    SlaPolicy.objects.get_or_create(
        name=name,
        defaults={
            "position": position,
            "severity": severity,
            "calendar": calendar,
            "update_interval": UPDATE[severity],
            "resolution": RESOLUTION[severity],
            **match,
        },
    )


def install_seed_tables() -> None:
    """Add the tables once; a policy already there (edited by a manager) is left alone."""
    for severity, first in ENTERPRISE_FIRST_RESPONSE.items():
        _policy(
            f"Enterprise P{severity} {LABEL[severity]}",
            position=severity,
            severity=severity,
            tier=Tier.ENTERPRISE,
            first_response=first,
        )
    for offset, (channel, table) in enumerate(CHANNEL_FIRST_RESPONSE.items()):
        for severity, first in table.items():
            _policy(
                f"{channel.label} P{severity} {LABEL[severity]}",
                position=5 + offset,
                severity=severity,
                channel=channel,
                first_response=first,
            )
