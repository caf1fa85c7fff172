"""Tickets and analyses for triage tests: tickets through the ticket services, analyses built
directly so that the matchers and the workflow are checked apart from the rules' wording."""

from __future__ import annotations

from datetime import datetime

from tests.factories import make_ticket
from tickets.models import Organization
from triage.rules import Analysis, ErrorSignature


def analysis(*, message: str = "", endpoint: str = "", status: str = "", **fields) -> Analysis:
    fields.setdefault("reasons", {"severity": ["Rule S1: test severity"]})
    return Analysis(
        signature=ErrorSignature(message=message, endpoint=endpoint, status_code=status),
        **fields,
    )


def report(organization: Organization, *, at: datetime, actor=None, title: str = "", **fields):
    return make_ticket(
        actor=actor,
        organization=organization,
        title=title or "Payments failing",
        now=at,
        **fields,
    )
