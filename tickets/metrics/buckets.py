"""Duration histograms: percentiles over any range are read from summed bucket counts."""

from __future__ import annotations

from collections.abc import Sequence

# Upper bounds in minutes; a last bucket takes everything longer. Chosen around the SLA
# targets (15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 24 h, 72 h, 1 week) so "within target" reads true.
BOUNDS_MINUTES: tuple[int, ...] = (
    5,
    15,
    30,
    60,
    120,
    240,
    480,
    720,
    1440,
    2880,
    4320,
    10080,
    20160,
    43200,
)
SIZE = len(BOUNDS_MINUTES) + 1


def percentile(histogram: Sequence[int], fraction: float) -> int | None:
    """The bucket bound (minutes) under which `fraction` of the durations fall; None when empty,
    -1 when it falls in the open last bucket (longer than the last bound)."""
    total = sum(histogram)
    if not total:
        return None
    wanted = fraction * total
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return BOUNDS_MINUTES[index] if index < len(BOUNDS_MINUTES) else -1
    return -1


def label(minutes: int | None) -> str:
    """'≤ 4 h': how a bucket bound reads in a table."""
    if minutes is None:
        return "–"
    if minutes == -1:
        return f"> {duration(BOUNDS_MINUTES[-1])}"
    return f"≤ {duration(minutes)}"


def duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 1440:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} d"


def add(total: list[int], histogram: Sequence[int] | None) -> list[int]:
    for index, count in enumerate(histogram or ()):
        total[index] += count
    return total
