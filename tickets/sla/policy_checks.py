"""What makes an SLA policy wrong (refused) or doubtful (saved, with a warning), in the words an
admin needs to fix it. SlaPolicy.clean() raises the errors; the admin shows the warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .durations import hours_text

if TYPE_CHECKING:
    from tickets.models import SlaPolicy


def _match(policy: SlaPolicy) -> tuple:
    return (policy.severity, policy.tier or "", policy.channel or "")


def _covers(earlier: SlaPolicy, later: SlaPolicy) -> bool:
    """Every ticket `later` matches is matched by `earlier` too (an empty field matches all)."""
    return all(
        mine in (None, "") or mine == theirs
        for mine, theirs in zip(_match(earlier), _match(later), strict=True)
    )


def _others(policy: SlaPolicy):
    from tickets.models import SlaPolicy

    return SlaPolicy.objects.filter(is_active=True).exclude(pk=policy.pk).order_by("position", "id")


def errors(policy: SlaPolicy) -> dict[str, str]:
    """Field name -> why the policy cannot be saved as it is."""
    found: dict[str, str] = {}
    percent = policy.warning_percent
    if percent is not None and not 1 <= percent <= 99:
        found["warning_percent"] = (
            f"{percent}% is not a share of the target: enter 1 to 99. The warning fires that "
            "share of the target before the due time (20 means a 4-hour target warns 48 minutes "
            "before it is due)."
        )
    first, resolution = policy.first_response, policy.resolution
    if first and resolution and first > resolution:
        found["first_response"] = (
            f"The first response ({hours_text(first)}) is longer than the resolution "
            f"({hours_text(resolution)}): the ticket would have to be solved before anyone "
            "answered it. Shorten the first response or lengthen the resolution."
        )
    if policy.is_active and policy.position is not None:
        twin = next(
            (
                other
                for other in _others(policy).filter(position=policy.position)
                if _match(other) == _match(policy)
            ),
            None,
        )
        if twin is not None:
            found["position"] = (
                f"“{twin.name}” is also active at position {policy.position} and matches the "
                f"same tickets ({policy.describe_match()}): only one of the two could ever "
                "apply. Give this policy another position or match, or make it inactive."
            )
    return found


def warnings(policy: SlaPolicy) -> list[str]:
    """What is legal to save but probably not what the admin meant."""
    found: list[str] = []
    update, resolution = policy.update_interval, policy.resolution
    if update and resolution and update >= resolution:
        found.append(
            f"The customer update interval ({hours_text(update)}) is not shorter than the "
            f"resolution ({hours_text(resolution)}): no update falls due before the ticket "
            "should be resolved."
        )
    if policy.is_active:
        for other in _others(policy):
            later = policy.pk if policy.pk is not None else float("inf")
            comes_first = (other.position, other.pk) < (policy.position, later)
            if comes_first and _covers(other, policy):
                found.append(
                    f"“{other.name}” (position {other.position}, {other.describe_match()}) "
                    f"comes first and matches every ticket this policy matches, so “{policy.name}” "
                    "never applies. Move it before that policy to use it."
                )
                break
    return found
