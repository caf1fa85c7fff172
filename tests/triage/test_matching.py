"""Duplicates and incidents on generated bursts, and look-alikes that must not match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import OrganizationFactory, make_agent
from tests.triage.factories import analysis, report
from triage.models import Kind, Suggestion
from triage.pipeline import triage_ticket

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GATEWAY = {"message": "upstream connect error", "endpoint": "/v1/payments", "status": "502"}


def _triage(org, agent, at, *, title="POST /v1/payments returns 502", **signature):
    ticket = report(org, at=at, actor=agent, title=title)
    return ticket, triage_ticket(ticket, now=at, analysis=analysis(**signature))


def test_four_organizations_same_error_within_40_minutes_suggest_an_incident():
    agent = make_agent(username="a1")
    orgs = [OrganizationFactory() for _ in range(4)]
    results = [
        _triage(org, agent, T0 + timedelta(minutes=13 * i), **GATEWAY)[1]
        for i, org in enumerate(orgs)
    ]
    # Two organizations are not yet "several"; the third makes it an incident.
    assert [r.incident_group for r in results[:2]] == [None, None]
    assert (
        results[2].incident_group
        == results[3].incident_group
        == "/v1/payments 502 upstream connect error"
    )
    last = Suggestion.objects.get(run_id=results[3].run_id, kind=Kind.INCIDENT)
    assert last.value == "declare"
    assert last.details["organizations"] == 4
    assert len(last.details["ticket_ids"]) == 3
    assert "4 organizations reported the same error" in last.reasons[0]
    # Reports of several customers are not duplicates of each other.
    assert all(r.duplicate_of == () for r in results)
    # Members of an incident are not asked for more information.
    assert results[3].needs_info == ()


def test_one_organization_reporting_again_is_a_duplicate_not_an_incident():
    agent = make_agent(username="a1")
    org = OrganizationFactory()
    first, _ = _triage(org, agent, T0, **GATEWAY)
    second, _ = _triage(org, agent, T0 + timedelta(minutes=10), **GATEWAY)
    _, third = _triage(org, agent, T0 + timedelta(minutes=20), **GATEWAY)
    assert third.incident_group is None
    assert third.duplicate_of == (second.pk, first.pk)  # the closer in time ranks first
    dup = Suggestion.objects.get(run_id=third.run_id, kind=Kind.DUPLICATE)
    assert dup.value == second.key
    shared = dup.details["tickets"][0]["shared"]
    assert shared[:2] == [
        "same organization",
        "same error signature (/v1/payments 502 upstream connect error)",
    ]


def test_same_endpoint_with_a_different_error_does_not_match():
    agent = make_agent(username="a1")
    org = OrganizationFactory()
    _triage(org, agent, T0, title="POST /v1/payments returns 502", **GATEWAY)
    _, result = _triage(
        org,
        agent,
        T0 + timedelta(minutes=5),
        title="POST /v1/payments returns 401",
        message="invalid api key",
        endpoint="/v1/payments",
        status="401",
    )
    assert result.duplicate_of == ()
    assert result.incident_group is None


def test_same_organization_on_another_day_does_not_match():
    agent = make_agent(username="a1")
    org = OrganizationFactory()
    _triage(org, agent, T0, **GATEWAY)
    _, result = _triage(org, agent, T0 + timedelta(days=1, minutes=5), **GATEWAY)
    assert result.duplicate_of == ()
    assert result.incident_group is None


def test_several_organizations_spread_over_a_day_are_no_incident():
    agent = make_agent(username="a1")
    results = [
        _triage(OrganizationFactory(), agent, T0 + timedelta(hours=2 * i), **GATEWAY)[1]
        for i in range(4)
    ]
    assert [r.incident_group for r in results] == [None] * 4


def test_a_near_identical_title_without_a_signature_is_a_duplicate():
    agent = make_agent(username="a1")
    org = OrganizationFactory()
    first, _ = _triage(org, agent, T0, title="Cannot download the March invoice PDF")
    _, result = _triage(
        org, agent, T0 + timedelta(hours=3), title="Cannot download the March invoice PDF!"
    )
    assert result.duplicate_of == (first.pk,)
