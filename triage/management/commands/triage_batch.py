"""`manage.py triage_batch --input T.jsonl --output P.jsonl [--known-issues KI.jsonl]`"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from triage.batch import BatchRefused, parse, run


class Command(BaseCommand):
    help = (
        "Triage every ticket of a JSON-lines file in created_at order, each as if it arrived at "
        "that instant into an otherwise empty helpdesk holding only the given known issues (kb's "
        "import format). Nothing is kept. Writes one JSON line of suggestions per ticket. A bad "
        "input line refuses the run and is named with its line number."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--known-issues", type=Path, default=None)

    def handle(self, *args, input: Path, output: Path, known_issues: Path | None, **options):
        started = time.perf_counter()
        input, output = Path(input), Path(output)
        known_issues = Path(known_issues) if known_issues else None
        try:
            tickets = parse(_lines(input))
            ki_lines = list(_lines(known_issues)) if known_issues else None
            predictions = run(tickets, known_issues=ki_lines)
        except BatchRefused as exc:
            where = {"input": input, "known issues": known_issues}[exc.source]
            detail = "\n".join(f"  {where}, line {n}: {why}" for n, why in exc.problems)
            raise CommandError(
                f"{len(exc.problems)} bad line(s); nothing was triaged:\n{detail}"
            ) from exc
        try:
            with output.open("w", encoding="utf-8") as out:
                for prediction in predictions:
                    out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Triaged {len(predictions)} ticket(s) into {output} in {elapsed:.1f} s (nothing kept)."
        )


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text; nothing was triaged.") from exc
