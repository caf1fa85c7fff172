"""Known issues from JSON lines (engineering's export): parse, map the free-text status, apply.

The whole file is checked before anything is written; one bad line refuses the file and names its
line number, so a half-imported file never happens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from helpdesk import clock
from helpdesk.errors import DomainError
from helpdesk.models import User
from kb.models import KnownIssue, KnownIssueStatus
from kb.services import known_issue_save

REQUIRED = ("id", "title")
TEXT_FIELDS = ("title", "component", "symptoms", "workaround", "affected_versions")
VERSION = r"v?(\d+(?:\.\d+)*[\w.-]*)"


class ImportRefused(Exception):
    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Parsed:
    line: int
    external_id: str
    fields: dict


def map_status(text: str) -> tuple[str, str]:
    """(status, fix version) from engineering's free text: 'fixed in 4.2.1' is fixed in 4.2.1;
    'open (fix scheduled for 2026.11.3)' is a scheduled fix; 'identified', 'root cause found'
    are identified; anything else still open is being investigated."""
    lower = text.strip().lower()
    version = re.search(r"(?:in|for|version|release)\s+" + VERSION, lower)
    fix_version = version.group(1).rstrip(".") if version else ""
    if re.search(r"\b(fixed|resolved|released|closed)\b", lower) and "not fixed" not in lower:
        return KnownIssueStatus.FIXED, fix_version
    if re.search(r"\b(scheduled|planned|targeted|fix (?:due|coming))\b", lower):
        return KnownIssueStatus.FIX_SCHEDULED, fix_version
    if re.search(r"\b(identified|root cause|confirmed|known cause)\b", lower):
        return KnownIssueStatus.IDENTIFIED, fix_version
    return KnownIssueStatus.INVESTIGATING, fix_version


def _parse_line(number: int, raw: str) -> Parsed:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImportRefused(number, f"not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ImportRefused(number, "expected a JSON object")
    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ImportRefused(number, f"“{key}” is missing or empty")
    fields: dict = {}
    for key in TEXT_FIELDS:
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ImportRefused(number, f"“{key}” must be text")
        fields[key] = value.strip()
    if len(fields["title"]) > 200:
        raise ImportRefused(number, "“title” is longer than 200 characters")
    signatures = data.get("error_signatures", [])
    if not isinstance(signatures, list) or not all(isinstance(s, str) for s in signatures):
        raise ImportRefused(number, "“error_signatures” must be a list of strings")
    fields["error_signatures"] = [s.strip()[:300] for s in signatures if s.strip()]
    status = data.get("status", "")
    if not isinstance(status, str):
        raise ImportRefused(number, "“status” must be text")
    fields["status"], fields["fix_version"] = map_status(status)
    if fields["status"] == KnownIssueStatus.FIXED and not fields["fix_version"]:
        raise ImportRefused(number, f"status “{status}” says fixed but names no version")
    external_id = data["id"].strip()
    if len(external_id) > 40:
        raise ImportRefused(number, "“id” is longer than 40 characters")
    return Parsed(number, external_id, fields)


def parse(lines: Iterable[str]) -> list[Parsed]:
    parsed: list[Parsed] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        item = _parse_line(number, raw)
        if item.external_id in seen:
            raise ImportRefused(
                number, f"“{item.external_id}” already appears on line {seen[item.external_id]}"
            )
        seen[item.external_id] = number
        parsed.append(item)
    return parsed


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@transaction.atomic
def import_known_issues(*, lines: Iterable[str], actor: User) -> ImportResult:
    """Create or update (matched by external id) every issue of the file, or none of them."""
    items = parse(lines)
    now = clock.now()
    existing = {
        k.external_id: k
        for k in KnownIssue.objects.filter(external_id__in=[i.external_id for i in items])
    }
    created = updated = 0
    for item in items:
        issue = existing.get(item.external_id)
        try:
            known_issue_save(
                actor=actor, issue=issue, external_id=item.external_id, now=now, **item.fields
            )
        except (DomainError, ValidationError) as exc:  # a model rule: the file's fault, here
            raise ImportRefused(item.line, str(getattr(exc, "message", exc))) from exc
        if issue is None:
            created += 1
        else:
            updated += 1
    return ImportResult(created=created, updated=updated)
