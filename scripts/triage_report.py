"""`make triage-report`: run triage_batch over both halves of the labelled corpus and print the
accuracy of every dimension on each half.

The batch runs against a scratch database of its own (created and migrated on first use, kept
for the next run), so the report never touches the development data.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "triage" / "corpus"
HALVES = ("dev", "heldout")
EXACT = ("severity", "category", "issue_type", "environment", "close_as", "known_issue", "escalate")


def score(
    rows: list[dict], predictions: dict[str, dict], *, incident_min_orgs: int
) -> list[tuple[str, str]]:
    """(dimension, figure) lines for one half."""
    lines = []
    for dim in EXACT:
        hits = sum(predictions[r["id"]][dim] == r["labels"][dim] for r in rows)
        lines.append((dim, _pct(hits, len(rows))))
    hits = sum(
        sorted(predictions[r["id"]]["needs_info"]) == sorted(r["labels"]["needs_info"])
        for r in rows
    )
    lines.append(("needs_info (exact set)", _pct(hits, len(rows))))
    flagged = [r for r in rows if predictions[r["id"]]["security"]]
    labelled = [r for r in rows if r["labels"]["security"]]
    true = [r for r in flagged if r["labels"]["security"]]
    lines.append(("security recall", _pct(len(true), len(labelled))))
    lines.append(("security precision", _pct(len(true), len(flagged))))
    dup_rows = [r for r in rows if r["labels"].get("duplicate_of")]
    hits = sum(
        set(r["labels"]["duplicate_of"]) <= set(predictions[r["id"]]["duplicate_of"])
        for r in dup_rows
    )
    unlabelled = [r for r in rows if not r["labels"].get("duplicate_of")]
    false_dups = sum(bool(predictions[r["id"]]["duplicate_of"]) for r in unlabelled)
    figure = f"{_pct(hits, len(dup_rows))}, {false_dups} unlabelled flagged"
    lines.append(("duplicates found", figure))
    # A burst is an incident from the report that brings it to the minimum number of
    # organizations; the reports before it cannot know yet that others will follow.
    groups: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r["created_at"]):
        if r["labels"].get("incident_group"):
            groups.setdefault(r["labels"]["incident_group"], []).append(r)
    later = [r for members in groups.values() for r in members[incident_min_orgs - 1 :]]
    hits = sum(bool(predictions[r["id"]]["incident_group"]) for r in later)
    false_inc = sum(
        bool(predictions[r["id"]]["incident_group"])
        for r in rows
        if not r["labels"].get("incident_group")
    )
    lines.append(
        ("incident members grouped", f"{_pct(hits, len(later))}, {false_inc} unlabelled grouped")
    )
    return lines


def _pct(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.0%}" if total else "n/a"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")
    os.environ.setdefault("HELPDESK_TEST_DB_SUFFIX", "_triage_report")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from triage.matching import INCIDENT_MIN_ORGS

    connection.creation.create_test_db(verbosity=0, keepdb=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for half in HALVES:
            source = CORPUS / f"{half}.jsonl"
            output = Path(tmp) / f"{half}.predictions.jsonl"
            started = time.perf_counter()
            call_command(
                "triage_batch",
                input=source,
                output=output,
                known_issues=CORPUS / "known_issues.jsonl",
                stdout=io.StringIO(),
            )
            elapsed = time.perf_counter() - started
            rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
            predictions = {p["id"]: p for p in map(json.loads, output.read_text().splitlines())}
            figures = score(rows, predictions, incident_min_orgs=INCIDENT_MIN_ORGS)
            results[half] = (figures, len(rows), elapsed)
    width = max(len(dim) for dim, _ in results[HALVES[0]][0])
    print(f"{'dimension':{width}}  " + "  ".join(f"{h:>26}" for h in HALVES))
    for i, (dim, _) in enumerate(results[HALVES[0]][0]):
        print(f"{dim:{width}}  " + "  ".join(f"{results[h][0][i][1]:>26}" for h in HALVES))
    for half in HALVES:
        _, count, elapsed = results[half]
        print(
            f"{half}: {count} tickets in {elapsed:.1f} s ({elapsed / count * 1000:.0f} ms each, "
            "creation and triage)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
