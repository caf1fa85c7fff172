"""Sum the crash-test report written by `make chaos` (one JSON line per scenario run)."""

from __future__ import annotations

import json
import sys
from collections import defaultdict

COUNTS = (
    "lost_events",
    "duplicated_events",
    "lost_messages",
    "duplicated_messages",
    "duplicated_notifications",
)


def main(path: str) -> int:
    runs: dict[str, int] = defaultdict(int)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    with open(path) as report:
        for line in report:
            row = json.loads(line)
            runs[row["scenario"]] += 1
            for key in COUNTS:
                totals[row["scenario"]][key] += row[key]
    print(f"{'scenario':28} {'runs':>5} " + " ".join(f"{c:>24}" for c in COUNTS))
    bad = 0
    for scenario, count in sorted(runs.items()):
        values = totals[scenario]
        bad += sum(values.values())
        print(f"{scenario:28} {count:>5} " + " ".join(f"{values[c]:>24}" for c in COUNTS))
    print("lost or duplicated effects:", bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
