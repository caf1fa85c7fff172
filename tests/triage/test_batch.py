"""manage.py triage_batch: output format, order, rollback and refusal of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import User
from kb.models import KnownIssue
from tests.factories import make_agent
from tests.kb.kb_factories import make_known_issue
from tickets.models import Organization, Ticket
from triage.models import TriageRun

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "corpus"
KEYS = {
    "id",
    "severity",
    "category",
    "issue_type",
    "environment",
    "security",
    "needs_info",
    "close_as",
    "known_issue",
    "duplicate_of",
    "incident_group",
    "escalate",
    "reasons",
}


def ticket(id, at, org="Fjord Analytics", title="Orders failing", description="", **extra):
    return {
        "id": id,
        "created_at": at,
        "organization": {"name": org, "tier": "business"},
        "requester": f"ops@{org.split()[0].lower()}.example",
        "channel": "email",
        "title": title,
        "description": description,
        **extra,
    }


def write(path: Path, rows) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def batch(tmp_path: Path, rows, known_issues: Path | None = None) -> list[dict]:
    out = tmp_path / "predictions.jsonl"
    call_command(
        "triage_batch",
        input=write(tmp_path / "tickets.jsonl", rows),
        output=out,
        known_issues=known_issues,
        stdout=open(tmp_path / "stdout.txt", "w"),  # noqa: SIM115
    )
    return [json.loads(line) for line in out.read_text().splitlines()]


def counts() -> dict[str, int]:
    models = (Ticket, Organization, User, KnownIssue, TriageRun)
    return {m.__name__: m.objects.count() for m in models}


def test_one_line_per_ticket_in_created_at_order_and_nothing_kept(tmp_path):
    failing = "POST /v1/invoices returns 500 Internal Server Error on every call since 09:00 UTC"
    rows = [
        ticket("later", "2026-03-16T09:40:00Z", description=failing + ", request id req_2."),
        ticket("first", "2026-03-16T09:10:00+00:00", description=failing + ", request id req_1."),
        ticket(
            "leak",
            "2026-03-16T09:20:00Z",
            org="Orchid Health",
            title="We leaked our API key",
            description="Our production API key was pushed to a public GitHub repo yesterday.",
        ),
        ticket(
            "prices",
            "2026-03-16T11:00:00Z",
            org="Kestrel Logistics",
            title="POST /v1/prices 500",
            description="API 4.1.2: POST /v1/prices returns 500 with decimal.InvalidOperation "
            "at 10:02 UTC, request id req_dec1.",
        ),
    ]
    before = counts()
    predictions = batch(tmp_path, rows, known_issues=CORPUS / "known_issues.jsonl")

    assert [p["id"] for p in predictions] == ["first", "leak", "later", "prices"]
    assert all(set(p) == KEYS for p in predictions)
    by_id = {p["id"]: p for p in predictions}
    assert by_id["first"]["severity"] == "P2"
    assert by_id["first"]["reasons"]["severity"] == [
        "Playbook P2: specific endpoint failing consistently ('POST /v1/invoices')"
    ]
    assert by_id["later"]["duplicate_of"] == ["first"]  # input ids, not database ids
    assert by_id["leak"]["security"] is True
    assert by_id["leak"]["close_as"] is None
    assert by_id["leak"]["needs_info"] == []
    assert by_id["prices"]["known_issue"] == "KI-101"
    assert by_id["prices"]["close_as"] == "known_issue"
    assert counts() == before


def test_known_issues_already_in_the_helpdesk_are_not_used(tmp_path):
    make_known_issue(
        make_agent(),
        external_id="KI-900",
        title="Prices answer 500",
        error_signatures=["decimal.InvalidOperation"],
    )
    rows = [
        ticket(
            "prices",
            "2026-03-16T11:00:00Z",
            description="POST /v1/prices returns 500 with decimal.InvalidOperation at 10:02 UTC, "
            "request id req_dec1.",
        )
    ]
    [prediction] = batch(tmp_path, rows)
    assert prediction["known_issue"] is None
    assert KnownIssue.objects.filter(external_id="KI-900").exists()


def test_bad_lines_refuse_the_run_and_are_named(tmp_path):
    rows = [
        ticket("ok", "2026-03-16T09:10:00Z"),
        "{not json",
        ticket("no-title", "2026-03-16T09:20:00Z", title=""),
        ticket("naive", "2026-03-16T09:30:00"),
        ticket("ok", "2026-03-16T09:40:00Z"),
    ]
    out = tmp_path / "predictions.jsonl"
    with pytest.raises(CommandError) as refused:
        call_command("triage_batch", input=write(tmp_path / "t.jsonl", rows), output=out)
    message = str(refused.value)
    assert "4 bad line(s); nothing was triaged" in message
    assert "line 2: not valid JSON" in message
    assert "line 3: “title” is missing or empty" in message
    assert "line 4: “created_at” has no time zone" in message
    assert "line 5: id “ok” already appears on line 1" in message
    assert not out.exists()
    assert not Ticket.objects.exists()
