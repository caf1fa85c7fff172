"""A property-based run of the whole API against its own schema (schemathesis, every check).

The schema at /api/schema/ is what clients build against; this run makes sure the answers keep
to it. Schemathesis reads the schema, generates valid and invalid requests for every operation
(examples, boundary values, random data, and stateful sequences that follow the links between
operations), sends them to a live server with an agent's token and then a customer's, and checks
each answer: no 5xx, status codes, content types, headers and bodies as documented, invalid
input refused, valid input accepted, authentication not ignored, deleted or foreign objects not
reachable.

Bounded: a fixed time per token (FUZZ_SECONDS, about two minutes in all on two cores), a fixed
seed so a run can be replayed (HELPDESK_FUZZ_SEED changes it).

What the run may treat as expected is listed in EXPECTED_REFUSALS below, each with its reason.
Everything else schemathesis reports fails the test, with the request to reproduce it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.models import ApiToken
from tests.factories import TeamFactory, make_agent, make_contact, make_ticket
from tickets import services
from tickets.serializers import AGENT_ONLY_MESSAGE

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FUZZ_SECONDS = int(os.environ.get("HELPDESK_FUZZ_SECONDS", "50"))
SEED = os.environ.get("HELPDESK_FUZZ_SEED", "20261204")

# A request the schema allows may still be refused for a reason that lives in the data, not in
# the request's shape. These refusals are correct answers (documented 400s with a stable code),
# so `positive_data_acceptance` (ST202, "schema-valid request rejected") may report them:
EXPECTED_REFUSALS = {
    # A cursor is an opaque token made by the server; a random string is not one.
    "invalid_cursor",
    # References by slug, username or key to something that does not exist or is out of
    # the caller's scope ("No organization “x”."): the schema cannot list what exists.
    "unknown_reference",
    # The lifecycle: a move from the ticket's current status that is not allowed, or one a
    # customer may not make; a reply to a closed ticket.
    "illegal_transition",
    "transition_not_allowed",
    "ticket_closed",
    # Waiting on the customer needs the question asked in the same call (`message`); the
    # schema has the field but cannot make it required for that one status.
    "message_required",
    # An empty upload: the schema's `format: binary` has no way to say "at least one byte".
    "attachment_empty",
    # Links between existing tickets that the link rules refuse (tickets/links.py): a circle of
    # any length, a duplicate of another organization's ticket or of a duplicate.
    "link_cycle",
    "duplicate_other_organization",
    "duplicate_of_duplicate",
    # Text with a NUL character: PostgreSQL's text cannot hold one, so every text field refuses
    # it ("Null characters are not allowed."), which JSON Schema has no plain way to state.
    "null_characters",
    # Text is trimmed, so whitespace only is blank ("This field may not be blank."); the
    # schema's minLength counts the spaces, and JSON Schema's \s is not Python's whitespace.
    "blank_after_trim",
    # Engineering escalations: which bug-report fields are needed depends on the ticket's
    # severity (P3/P4 need the investigation), and a committed date must not be past; the
    # schema knows neither the ticket nor today.
    "investigation_required",
    "date_in_past",
}
REFERENCE_MESSAGE_PREFIXES = ("No ", "The requester must be a contact")
# For the customer's token only: the schema is one for everyone, and fields and filters marked
# "agents only" in it are refused to customers with a field message.
AGENT_ONLY_MESSAGES = {AGENT_ONLY_MESSAGE, "Only agents can filter on this."}
# For the agent's token only: customers open tickets for their own organization, so the schema
# cannot mark `organization` required; an agent must name it.
ORGANIZATION_REQUIRED = {"organization": ["This field is required."]}


@dataclass(frozen=True)
class Finding:
    role: str
    check: str
    code: str
    operation: str
    status: int | None
    error_code: str
    request: str
    detail: str
    media_type: str = ""

    def describe(self) -> str:
        return (
            f"[{self.role}] {self.check} ({self.code}) on {self.operation}: answered "
            f"{self.status} {self.error_code!r} {self.detail}\n    {self.request}"
        )


@pytest.fixture
def world(org_a, org_b, agent, customer_a, customer_b):
    """A little of everything, so generated keys, slugs and usernames sometimes hit real rows."""
    security = TeamFactory(name="Security", slug="security", is_security=True)
    security.members.add(make_agent(username="sec"))
    TeamFactory(name="Tier 2", slug="tier2")
    make_contact(org_a, username="colleague")
    tickets = [
        make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Login fails"),
        make_ticket(actor=agent, organization=org_b, requester=customer_b, title="Webhooks"),
        make_ticket(actor=customer_a, organization=org_a, requester=customer_a, is_security=True),
    ]
    for ticket in tickets:
        services.comment_add(ticket=ticket, author=agent, body="Looking into it")
        services.comment_add(ticket=ticket, author=agent, body="internal", is_internal=True)
        services.attachment_add(
            ticket=ticket, uploaded_by=agent, file=SimpleUploadedFile("log.txt", b"trace")
        )
    return {"agent": agent, "customer": customer_a}


def _run(live_server, role: str, user, report_dir: Path) -> tuple[dict, list[Finding]]:
    _, token = ApiToken.issue(user=user, name="fuzz")
    report_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-time",
        str(FUZZ_SECONDS),
        "--seed",
        SEED,
        "--workers",
        "1",
        "--no-shrink",
        "--report",
        "json,ndjson",
        "--report-dir",
        str(report_dir),
        "--output-sanitize",
        "true",
    ]
    # Run from the report directory: schemathesis keeps a cache in its working directory.
    subprocess.run(
        command, cwd=report_dir, capture_output=True, text=True, timeout=FUZZ_SECONDS * 3 + 60
    )
    (summary_path,) = report_dir.glob("json-*.json")
    (events_path,) = report_dir.glob("ndjson-*.ndjson")
    return json.loads(summary_path.read_text()), list(_findings(role, events_path))


def _findings(role: str, events_path: Path):
    for line in events_path.read_text().splitlines():
        event = json.loads(line)
        recorder = event.get("ScenarioFinished", {}).get("recorder", {})
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] != "failure":
                    continue
                failure = check["failure_info"]["failure"]
                interaction = recorder.get("interactions", {}).get(case_id) or {}
                response = interaction.get("response") or {}
                request = interaction.get("request") or {}
                code, detail = _error_of(response)
                yield Finding(
                    role=role,
                    check=check["name"],
                    code=failure.get("code", ""),
                    operation=failure.get("operation", ""),
                    status=response.get("status_code"),
                    error_code=code,
                    request=f"{request.get('method')} {request.get('uri')}"[:300],
                    detail=f"{failure.get('message', '')} / {detail}"[:700],
                    media_type=" ".join((request.get("headers") or {}).get("Content-Type", [])),
                )


def _error_of(response: dict) -> tuple[str, str]:
    """(the error code, classified; the field messages) of an answer in the API's error shape."""
    content = response.get("content") or {}
    raw = content.get("$base64")
    text = base64.b64decode(raw).decode(errors="replace") if raw else content.get("text", "")
    try:
        error = json.loads(text)["error"]
    except (ValueError, KeyError, TypeError):
        return "", text[:200]
    fields = error.get("fields") or {}
    messages = [m for ms in fields.values() for m in ms]
    code = error.get("code", "")
    if code == "validation_error" and messages:
        if all(m.startswith(REFERENCE_MESSAGE_PREFIXES) for m in messages):
            code = "unknown_reference"
        elif all(m in AGENT_ONLY_MESSAGES for m in messages):
            code = "agent_only"
        elif all(m == "Null characters are not allowed." for m in messages):
            code = "null_characters"
        elif all(m == "This field may not be blank." for m in messages):
            code = "blank_after_trim"
        elif fields == ORGANIZATION_REQUIRED:
            code = "organization_required"
    return code, json.dumps(fields, ensure_ascii=False)[:300]


def _tolerated_input(finding: Finding) -> str | None:
    """Input outside the schema that the API reads the way the web does, so `negative_data_
    rejection` (ST201, "schema-violating request accepted") may report it:"""
    # A multipart body is text: a boolean sent as 0 or 1 (an "incorrect type" to the schema)
    # is how HTML forms send one, and it reads as false or true.
    if finding.media_type.startswith("multipart/form-data") and (
        "Incorrect type" in finding.detail and "is_internal" in finding.detail
    ):
        return "multipart_boolean"
    # A query parameter given twice (an "object" to the schema): the last value counts, as in
    # every Django form; a last value that is invalid is refused.
    if "in query" in finding.detail and "became object" in finding.detail:
        return "repeated_query_parameter"
    return None


def _expected(finding: Finding) -> str | None:
    """Why `finding` is an expected answer, or None when it is a real failure."""
    if finding.check == "negative_data_rejection":
        return _tolerated_input(finding)
    if finding.check != "positive_data_acceptance" or finding.status != 400:
        return None
    if finding.role == "customer" and finding.error_code == "agent_only":
        return "agent_only"
    if finding.role == "agent" and finding.error_code == "organization_required":
        return "organization_required"
    return finding.error_code if finding.error_code in EXPECTED_REFUSALS else None


def test_the_api_keeps_to_its_schema_for_agents_and_customers(live_server, world, tmp_path):
    totals: Counter = Counter()
    unexpected: list[Finding] = []
    expected: Counter = Counter()
    for role in ("agent", "customer"):
        summary, findings = _run(live_server, role, world[role], tmp_path / role)
        totals["operations"] += summary["operations"]["tested"]
        totals["cases"] += summary["test_cases"]["generated"]
        totals["errors"] += len(summary["errors"])
        for finding in findings:
            if reason := _expected(finding):
                expected[f"{finding.check}: {reason}"] += 1
            else:
                unexpected.append(finding)
    print(
        f"\nfuzzer: {totals['operations']} operations tested (two tokens), {totals['cases']} "
        f"cases, {totals['errors']} errors, {len(unexpected)} unexpected failures; expected "
        f"refusals: {dict(expected)}; unexpected by kind: "
        f"{dict(Counter((f.check, f.code) for f in unexpected))}"
    )
    assert totals["operations"] >= 2 * 14
    assert totals["errors"] == 0
    assert not unexpected, "\n".join(f.describe() for f in unexpected[:30])
