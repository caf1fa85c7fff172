"""Sum the crash-test report written by `make chaos` and say whether the run was clean.

Every round writes a "started" line and an "ended" line (tests/crash/ledger.py). A round that
started and never ended (the test process died) counts as crashed. The exit status is 1 when any
round failed, errored or crashed, when any effect was lost, doubled or untimely, when pytest
itself failed (--pytest-status), or when fewer rounds ran than expected (--expect).

    python scripts/chaos_summary.py var/chaos-report.jsonl --pytest-status 1 --expect 400
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

COUNTS = (
    "lost_events",
    "duplicated_events",
    "untimely_events",
    "lost_messages",
    "duplicated_messages",
    "duplicated_notifications",
)
OUTCOMES = ("passed", "failed", "error", "crashed", "skipped")


def read_rounds(path: Path) -> list[dict]:
    """One dict per round: the ended line, or a crashed stand-in for a round that never ended."""
    open_rounds: dict[tuple[str, int], int] = defaultdict(int)
    rounds: list[dict] = []
    text = path.read_text() if path.exists() else ""
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # a line cut short when the process died
            continue
        key = (row["scenario"], row["round"])
        if row.get("event") == "started":
            open_rounds[key] += 1
        else:
            open_rounds[key] -= 1
            rounds.append(row)
    for (scenario, number), still_open in sorted(open_rounds.items()):
        for _ in range(max(still_open, 0)):
            rounds.append(
                {
                    "scenario": scenario,
                    "round": number,
                    "outcome": "crashed",
                    "cause": "the test process died during the round (no result written)",
                }
            )
    return rounds


def failure_kind(row: dict) -> str:
    """A short name of why a round did not pass, for the totals by cause."""
    if row["outcome"] == "failed":
        return ", ".join(c for c in COUNTS if row.get(c)) or "failed"
    if row["outcome"] == "error":
        # "AssertionError at test_crash.py:71: no email was being sent within 40 s: ..."
        return "error: " + row.get("cause", "")[:100]
    return row["outcome"]


def summarize(rounds: list[dict], *, pytest_status: int, expect: int | None) -> tuple[str, int]:
    lines: list[str] = []
    by_scenario: dict[str, list[dict]] = defaultdict(list)
    for row in rounds:
        by_scenario[row["scenario"]].append(row)
    header = f"{'scenario':26} {'rounds':>6} " + " ".join(f"{o:>7}" for o in OUTCOMES)
    header += " " + " ".join(f"{c.replace('_', ' '):>12}" for c in COUNTS) + " warn-not-owed"
    lines.append(header)
    totals = dict.fromkeys(COUNTS, 0)
    outcomes: Counter[str] = Counter()
    for scenario, rows in sorted(by_scenario.items()):
        seen = Counter(r["outcome"] for r in rows)
        outcomes.update(seen)
        sums = {c: sum(r.get(c, 0) for r in rows) for c in COUNTS}
        for c in COUNTS:
            totals[c] += sums[c]
        not_owed = sum(r.get("warnings_not_owed", 0) for r in rows)
        lines.append(
            f"{scenario:26} {len(rows):>6} "
            + " ".join(f"{seen[o]:>7}" for o in OUTCOMES)
            + " "
            + " ".join(f"{sums[c]:>12}" for c in COUNTS)
            + f" {not_owed:>13}"
        )
    ran = sum(outcomes.values())
    bad_rounds = outcomes["failed"] + outcomes["error"] + outcomes["crashed"]
    effects = sum(totals.values())
    lines.append("")
    lines.append(
        f"rounds: {ran} ({', '.join(f'{outcomes[o]} {o}' for o in OUTCOMES)})"
        + (f", {expect} expected" if expect is not None else "")
    )
    lines.append(f"lost, duplicated or untimely effects: {effects}")
    not_passed = [r for r in rounds if r["outcome"] in ("failed", "error", "crashed")]
    if not_passed:
        causes = Counter(failure_kind(r) for r in not_passed)
        lines.append("rounds that did not pass, by cause:")
        lines.extend(f"  {n:>4}  {cause}" for cause, n in causes.most_common())
        lines.append("first of them:")
        for row in not_passed[:10]:
            lines.append(f"  {row['scenario']} round {row['round']}: {row.get('cause', '')[:400]}")

    reasons = []
    if bad_rounds:
        reasons.append(f"{bad_rounds} round(s) did not pass")
    if effects:
        reasons.append(f"{effects} effect(s) lost, doubled or untimely")
    if pytest_status != 0:
        reasons.append(f"pytest exited with status {pytest_status}")
    if expect is not None and ran < expect:
        reasons.append(f"{expect - ran} round(s) never ran")
    if ran == 0:
        reasons.append("no round ran")
    if reasons:
        lines.append("chaos: FAILED: " + "; ".join(reasons))
        return "\n".join(lines), 1
    lines.append("chaos: every round passed, nothing lost or doubled")
    return "\n".join(lines), 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--pytest-status", type=int, default=0, help="exit status of pytest")
    parser.add_argument("--expect", type=int, default=None, help="rounds that should have run")
    args = parser.parse_args(argv)
    text, status = summarize(
        read_rounds(args.report), pytest_status=args.pytest_status, expect=args.expect
    )
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
