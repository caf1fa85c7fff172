"""The database side of triage: known issues (through kb), duplicates and incidents.

Everything here is scoped and bounded (DESIGN.md section 7): duplicates are the same
organization's tickets of the last DUPLICATE_WINDOW, incidents look back INCIDENT_WINDOW, and
each scan stops at a fixed number of candidates, so the cost does not grow with the table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

from kb.models import KnownIssue, KnownIssueStatus
from kb.search.suggest import ANY_WORD, any_word_query
from tickets.choices import OPEN_STATUSES
from tickets.models import Ticket
from tickets.models.core import ticket_key

from .models import Incident, RunStatus, TriageRun

# One organization reporting one problem twice within a day is a duplicate; a report a day or
# more later is a recurrence the agent links by hand (decisions: Triage).
DUPLICATE_WINDOW = timedelta(hours=24)
INCIDENT_WINDOW = timedelta(hours=1)
# "Several organizations" (DESIGN.md 7): three distinct customers, the reporter included.
INCIDENT_MIN_ORGS = 3
CANDIDATES = 50
MAX_DUPLICATES = 5
# Title similarity (pg_trgm) from which a same-organization ticket without a shared error
# signature still counts as the same report.
TITLE_SIMILARITY = 0.5
MIN_SIGNATURE_CHARS = 6


@dataclass(frozen=True)
class Signature:
    message: str = ""
    endpoint: str = ""
    status_code: str = ""
    request_id: str = ""

    @property
    def key(self) -> str:
        """A stable key of the error, or '' when the text names no error: an endpoint alone
        is where many unrelated problems happen, so it never makes a signature by itself."""
        if not (self.message or self.status_code):
            return ""
        raw = "|".join((self.message.lower(), self.endpoint.lower(), self.status_code))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

    @property
    def label(self) -> str:
        parts = [self.endpoint, self.status_code, self.message]
        return " ".join(p for p in parts if p)[:300]

    @classmethod
    def of(cls, signature) -> Signature:
        """From the rules' ErrorSignature (any object with those attributes)."""
        return cls(
            message=(getattr(signature, "message", "") or "")[:300],
            endpoint=(getattr(signature, "endpoint", "") or "")[:200],
            status_code=str(getattr(signature, "status_code", "") or "")[:8],
            request_id=(getattr(signature, "request_id", "") or "")[:120],
        )


@dataclass(frozen=True)
class KnownIssueMatch:
    external_id: str
    title: str
    workaround: str
    matched: tuple[str, ...]


@dataclass(frozen=True)
class DuplicateMatch:
    ticket_id: int
    key: str
    title: str
    score: float
    shared: tuple[str, ...]


@dataclass(frozen=True)
class IncidentMatch:
    label: str
    signature_key: str
    organizations: int
    ticket_ids: tuple[int, ...]
    parent_id: int | None = None  # the declared incident, when one is active
    parent_key: str = ""
    reasons: tuple[str, ...] = field(default=())


def known_issue_for(*, text: str) -> KnownIssueMatch | None:
    """The open known issue whose error signatures the ticket's text quotes: an error message
    or exception counts alone, an endpoint only beside another of the issue's signatures."""
    low = text.lower()
    issues = KnownIssue.objects.exclude(status=KnownIssueStatus.FIXED).filter(
        RawSQL(
            "EXISTS (SELECT 1 FROM unnest(error_signatures) s"
            " WHERE length(s) >= %s AND strpos(%s, lower(s)) > 0)",
            [MIN_SIGNATURE_CHARS, low],
            output_field=BooleanField(),
        )
    )
    best: KnownIssueMatch | None = None
    for issue in issues.order_by("-updated_at", "id")[:20]:
        matched = tuple(s for s in issue.error_signatures if s.lower() in low)
        strong = [s for s in matched if not _is_endpoint(s)]
        if not strong and len(matched) < 2:
            continue
        if best is None or len(matched) > len(best.matched):
            best = KnownIssueMatch(
                external_id=issue.external_id,
                title=issue.title,
                workaround=issue.workaround,
                matched=matched,
            )
    return best


def _is_endpoint(signature: str) -> bool:
    words = signature.split()
    return bool(words) and words[-1].startswith("/") and len(words) <= 2


def _runs_with(key: str, since: datetime, until: datetime, exclude_ticket: int):
    return TriageRun.objects.filter(
        status=RunStatus.DONE,
        signature_key=key,
        ticket_created_at__gte=since,
        ticket_created_at__lte=until,
    ).exclude(ticket_id=exclude_ticket)


def duplicates_for(*, ticket: Ticket, signature: Signature, text: str) -> list[DuplicateMatch]:
    """Earlier tickets of the same organization within a day that report the same problem:
    the same error signature, or a near-identical title without a conflicting error. Ranked by
    signature, then text similarity, then time proximity."""
    since = ticket.created_at - DUPLICATE_WINDOW
    key = signature.key
    by_signature: set[int] = set()
    if key:
        by_signature = set(
            _runs_with(key, since, ticket.created_at, ticket.pk)
            .filter(organization_id=ticket.organization_id)
            .order_by("-ticket_created_at")
            .values_list("ticket_id", flat=True)[:CANDIDATES]
        )
    scope = Ticket.objects.filter(
        organization_id=ticket.organization_id,
        created_at__gte=since,
        created_at__lte=ticket.created_at,
    ).exclude(pk=ticket.pk)
    tsquery = any_word_query(ticket.title)
    text_match = Q(pk__in=by_signature)
    if tsquery:
        words = RawSQL(f"search_vector @@ {ANY_WORD}", [tsquery], output_field=BooleanField())
        text_match |= Q(words)
    candidates = list(
        scope.filter(text_match)
        .annotate(title_similarity=RawSQL("similarity(title, %s)", [ticket.title], FloatField()))
        .order_by("-created_at", "-id")
        .values("pk", "number", "title", "created_at", "title_similarity")[:CANDIDATES]
    )
    if not candidates:
        return []
    their = _latest_signatures([c["pk"] for c in candidates])
    matches = []
    for c in candidates:
        other = their.get(c["pk"])
        same_signature = c["pk"] in by_signature
        if not same_signature and (
            c["title_similarity"] < TITLE_SIMILARITY or _conflicting(signature, other)
        ):
            continue
        shared = ["same organization"]
        score = 0.0
        if same_signature:
            score += 1.0
            shared.append(f"same error signature ({signature.label})")
        elif other and other.signature_endpoint and other.signature_endpoint == signature.endpoint:
            shared.append(f"same endpoint ({signature.endpoint})")
            score += 0.2
        similarity = float(c["title_similarity"])
        if similarity >= TITLE_SIMILARITY:
            shared.append(f"similar title ({similarity:.0%} of trigrams shared)")
        score += 0.5 * similarity
        gap = ticket.created_at - c["created_at"]
        score += 0.3 * max(0.0, 1 - gap / DUPLICATE_WINDOW)
        shared.append(f"reported {_ago(gap)} earlier")
        matches.append(
            DuplicateMatch(
                ticket_id=c["pk"],
                key=ticket_key(c["number"]),
                title=c["title"],
                score=round(score, 3),
                shared=tuple(shared),
            )
        )
    matches.sort(key=lambda m: (-m.score, -m.ticket_id))
    return matches[:MAX_DUPLICATES]


def _conflicting(signature: Signature, other: TriageRun | None) -> bool:
    """Two reports naming different errors (or statuses) are different problems, however
    alike their words: the same endpoint failing two ways is not one report twice."""
    if other is None:
        return False
    if (
        signature.message
        and other.signature_message
        and signature.message.lower() != other.signature_message.lower()
    ):
        return True
    return bool(
        signature.status_code
        and other.signature_status
        and signature.status_code != other.signature_status
    )


def _latest_signatures(ticket_ids: list[int]) -> dict[int, TriageRun]:
    runs = (
        TriageRun.objects.filter(ticket_id__in=ticket_ids, status=RunStatus.DONE)
        .order_by("ticket_id", "-created_at", "-id")
        .distinct("ticket_id")
        .only("ticket_id", "signature_message", "signature_endpoint", "signature_status")
    )
    return {r.ticket_id: r for r in runs}


def _ago(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h"


def active_incident(signature_key: str) -> Incident | None:
    if not signature_key:
        return None
    return (
        Incident.objects.filter(signature_key=signature_key, parent__status__in=OPEN_STATUSES)
        .select_related("parent")
        .order_by("-declared_at")
        .first()
    )


def incident_for(*, ticket: Ticket, signature: Signature) -> IncidentMatch | None:
    """An active incident with this error signature, or a burst: INCIDENT_MIN_ORGS or more
    organizations reporting it within INCIDENT_WINDOW (one organization alone, or the same
    reports spread over a day, are duplicates, not an incident)."""
    key = signature.key
    if not key:
        return None
    declared = active_incident(key)
    if declared is not None:
        return IncidentMatch(
            label=declared.parent.key,
            signature_key=key,
            organizations=0,
            ticket_ids=(),
            parent_id=declared.parent_id,
            parent_key=declared.parent.key,
            reasons=(
                f"Incident {declared.parent.key} is active for this error ({declared.label}).",
            ),
        )
    runs = list(
        _runs_with(key, ticket.created_at - INCIDENT_WINDOW, ticket.created_at, ticket.pk)
        .order_by("ticket_created_at", "id")
        .values_list("ticket_id", "organization_id")[: CANDIDATES * 4]
    )
    members = dict(runs)
    orgs = set(members.values()) | {ticket.organization_id}
    if len(orgs) < INCIDENT_MIN_ORGS:
        return None
    return IncidentMatch(
        label=signature.label,
        signature_key=key,
        organizations=len(orgs),
        ticket_ids=tuple(members),
        reasons=(
            f"{len(orgs)} organizations reported the same error ({signature.label}) within "
            f"{int(INCIDENT_WINDOW.total_seconds() // 60)} minutes: several customers at once "
            "is an incident (DESIGN.md 7).",
        ),
    )
