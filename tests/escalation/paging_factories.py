"""Escalation policies for the paging tests, set up through the models as the admin would."""

from __future__ import annotations

from escalation.models import EscalationLevel, EscalationPolicy


def make_policy(*levels: dict, name: str = "P1 and security", repeat: int = 0, **match):
    """`levels`: dicts of users (list), team, schedule and wait_minutes, in order."""
    policy = EscalationPolicy.objects.create(name=name, repeat=repeat, **match)
    for position, spec in enumerate(levels, start=1):
        level = EscalationLevel.objects.create(
            policy=policy,
            position=position,
            wait_minutes=spec.get("wait_minutes", 5),
            team=spec.get("team"),
            schedule=spec.get("schedule"),
        )
        level.users.set(spec.get("users", []))
    return policy
