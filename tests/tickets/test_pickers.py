"""The agent and team pickers are cached across requests and forgotten when they change."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import services
from tickets.selectors import agent_choices, team_choices

pytestmark = pytest.mark.django_db


def test_pickers_are_read_once_then_from_the_cache(agent, django_assert_num_queries):
    agent_choices(), team_choices()
    with django_assert_num_queries(0):
        assert ("agent", "Alex Agent") in agent_choices()
        team_choices()


def test_a_new_renamed_or_deactivated_agent_shows_at_once(agent):
    assert "pat" not in dict(agent_choices())
    pat = make_agent(username="pat", first_name="Pat", last_name="Lee")
    assert dict(agent_choices())["pat"] == "Pat Lee"
    pat.first_name = "Patricia"
    pat.save()
    assert dict(agent_choices())["pat"] == "Patricia Lee"
    pat.is_active = False
    pat.save()
    assert "pat" not in dict(agent_choices())


def test_a_new_or_deleted_team_shows_at_once(db):
    assert team_choices() == []
    team = TeamFactory(name="Billing", slug="billing")
    assert team_choices() == [("billing", "Billing")]
    team.delete()
    assert team_choices() == []


def test_ticket_work_keeps_the_cached_pickers(agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    agent_choices()
    services.comment_add(ticket=ticket, author=agent, body="Looking into it")
    assert cache.get("pickers:agents") is not None
