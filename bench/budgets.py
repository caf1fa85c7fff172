"""The performance budgets of DESIGN.md section 10, and how a figure is marked against them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Budget:
    metric: str  # the key of the measured figure, e.g. "server_p95_ms"
    limit: float
    bound: Literal["max", "min"]  # the figure must stay <= limit ("max") or reach >= limit ("min")
    label: str

    def holds(self, value: float) -> bool:
        return value <= self.limit if self.bound == "max" else value >= self.limit


# The portal list has no budget of its own: it is held to the agent queue's.
QUEUE = (
    Budget("server_p95_ms", 50, "max", "p95 <= 50 ms"),
    Budget("queries_max", 10, "max", "<= 10 queries"),
)
TICKET_PAGE = (Budget("server_p95_ms", 60, "max", "p95 <= 60 ms"),)
SEARCH = (Budget("server_p95_ms", 150, "max", "p95 <= 150 ms"),)
# The help centre's home and an article page (knowledge base search is held to SEARCH).
HELP_CENTRE = (Budget("server_p95_ms", 50, "max", "p95 <= 50 ms"),)
# On-call: My pages and a schedule's page.
ONCALL = (Budget("server_p95_ms", 50, "max", "p95 <= 50 ms"),)
# A queue search is both a queue page (any filter) and a search.
QUEUE_SEARCH = (*QUEUE, Budget("server_p95_ms", 150, "max", "search p95 <= 150 ms"))
API_LIST = (Budget("rps", 150, "min", ">= 150 req/s"),)
API_DETAIL = (Budget("rps", 400, "min", ">= 400 req/s"),)
ENGINE_TICK = (Budget("db_ms", 500, "max", "<= 500 ms database time"),)
# Triage of one new ticket, off the request path, and the duplicate search inside it.
TRIAGE = (Budget("p95_ms", 200, "max", "p95 <= 200 ms"),)
DUPLICATES = (Budget("p95_ms", 50, "max", "p95 <= 50 ms"),)
# Mail polled from an IMAP mailbox is held to the ingest budget of mail piped in.
MAIL_IMAP = (Budget("msgs_per_s", 20, "min", ">= 20 messages/s"),)
MAIL_INGEST = (Budget("msgs_per_s", 20, "min", ">= 20 messages/s"),)
# The manager dashboard's panels: a 30-day view, and all time read from the rollups.
DASHBOARD_30D = (Budget("server_p95_ms", 200, "max", "p95 <= 200 ms"),)
DASHBOARD_ALL = (Budget("server_p95_ms", 50, "max", "p95 <= 50 ms"),)
NONE: tuple[Budget, ...] = ()

OK, OVER, FAILED, INFO = "ok", "OVER", "FAILED", "-"


def check(budgets: tuple[Budget, ...], figure: dict) -> dict:
    """Marks one measured figure: `verdict` is OVER when any budget is missed, FAILED when a
    budgeted value could not be measured, `-` when there is no budget."""
    checks = []
    for budget in budgets:
        value = figure.get(budget.metric)
        checks.append(
            {
                "budget": budget.label,
                "metric": budget.metric,
                "value": value,
                "ok": None if value is None else budget.holds(value),
            }
        )
    if not checks:
        verdict = INFO
    elif any(c["ok"] is None for c in checks):
        verdict = FAILED
    elif all(c["ok"] for c in checks):
        verdict = OK
    else:
        verdict = OVER
    return {"verdict": verdict, "checks": checks}


def describe(budgets: tuple[Budget, ...]) -> str:
    return "; ".join(b.label for b in budgets) or "no budget"
