"""Triage, measured at the bench's scale: one new ticket triaged whole (rules, known issues,
duplicates, incidents, the suggestions stored) and the duplicate suggestions alone.

    python -m bench.triage --out FILE [--tickets N]

Each sample is a new ticket opened through the ticket services in the organization of a recent
ticket, with that ticket's text (so the duplicate search has something to find), then triaged
as the engine would. The timings leave the ticket's creation out. Everything runs in one
transaction that is rolled back, so the dataset is the same after a run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


class Rollback(Exception):
    pass


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def measure(count: int) -> dict:
    from django.db import transaction

    from helpdesk import clock
    from helpdesk.models import Role, User
    from tickets import services
    from tickets.models import Ticket
    from triage import matching
    from triage.pipeline import ticket_text, triage_ticket
    from triage.rules import analyse

    agent = User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk").first()
    recent = list(
        Ticket.objects.filter(is_security=False)
        .order_by("-created_at", "-id")
        .select_related("organization")[: count * 20 : 20]
    )
    whole, duplicates = [], []
    try:
        with transaction.atomic():
            for i, model in enumerate(recent):
                now = clock.now()
                ticket = services.ticket_create(
                    actor=agent,
                    organization=model.organization,
                    title=model.title,
                    description=model.description,
                    now=now,
                )
                started = time.perf_counter()
                triage_ticket(ticket, now=now)
                elapsed = (time.perf_counter() - started) * 1000
                analysis = analyse(title=ticket.title, description=ticket_text(ticket))
                signature = matching.Signature.of(analysis.signature)
                started = time.perf_counter()
                matching.duplicates_for(ticket=ticket, signature=signature, text=ticket.title)
                dup = (time.perf_counter() - started) * 1000
                if i >= 5:  # warm-ups: the first queries fill the caches
                    whole.append(elapsed)
                    duplicates.append(dup)
            tickets = Ticket.objects.count()
            raise Rollback
    except Rollback:
        pass
    return {
        "tickets": tickets,
        "samples": len(whole),
        "triage": {
            "p50_ms": _p(whole, 0.5),
            "p95_ms": _p(whole, 0.95),
            "mean_ms": round(statistics.mean(whole), 2),
        },
        "duplicates": {"p50_ms": _p(duplicates, 0.5), "p95_ms": _p(duplicates, 0.95)},
    }


def figures(result: dict) -> list[dict]:
    """The bench's rows from a `measure` result (or its error)."""
    from bench import budgets

    rows = [
        ("triage-ticket", "triage of one new ticket (all suggestions)", "triage", budgets.TRIAGE),
        ("triage-duplicates", "triage: duplicate suggestions", "duplicates", budgets.DUPLICATES),
    ]
    out = []
    for key, name, part, held in rows:
        figure = {"key": key, "kind": "triage", "name": name, "budget": budgets.describe(held)}
        if "error" in result:
            figure["error"] = result["error"].splitlines()[0][:300]
        else:
            figure["name"] += f", {result['tickets']:,} tickets, {result['samples']} samples"
            figure.update(result[part])
        figure.update(budgets.check(held, figure))
        if "error" in result:
            figure["verdict"] = budgets.FAILED
        out.append(figure)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tickets", type=int, default=105)
    args = parser.parse_args()
    import django

    django.setup()
    result = measure(args.tickets)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
