"""The API's fast read path gives exactly what DRF's own field machinery gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import services
from tickets.models import Ticket
from tickets.selectors import ticket_number_of as _number_of
from tickets.serializers import TicketSerializer

pytestmark = pytest.mark.django_db


def _drf_output(serializer: TicketSerializer, instance) -> dict:
    """What DRF itself produces: Serializer.to_representation, skipping FastReadMixin."""
    return serializers.ModelSerializer.to_representation(serializer, instance)


@pytest.mark.parametrize("as_customer", [False, True])
def test_fast_read_matches_drf_field_by_field(agent, org_a, customer_a, as_customer):
    team = TeamFactory()
    incident = make_ticket(actor=agent, organization=org_a)
    ticket = make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        assignee=agent,
        team=team,
        tags=["sso", "saml"],
        severity=2,
        error_message="500 <Internal> & co",
    )
    services.ticket_update(ticket=ticket, actor=agent, changes={"parent": incident})
    bare = make_ticket(actor=agent, organization=org_a)  # no assignee, team, requester or links
    request = APIRequestFactory().get("/api/v1/tickets/")
    request.user = customer_a if as_customer else agent
    rows = (
        Ticket.objects.filter(pk__in=[ticket.pk, bare.pk])
        .select_related("organization", "assignee", "team", "requester")
        .annotate(
            parent_number=_number_of("parent"), duplicate_of_number=_number_of("duplicate_of")
        )
        .order_by("pk")
    )
    serializer = TicketSerializer(rows, many=True, context={"request": request})
    fast = serializer.data
    child = serializer.child
    expected = [_drf_output(child, row) for row in rows]
    if as_customer:
        for row in expected:
            row.update({"team": None, "tags": [], "parent": None, "duplicate_of": None})
    assert [dict(row) for row in fast] == expected
    assert fast[0]["parent"] == incident.key or as_customer
    assert fast[0]["assignee"] == {"username": agent.username, "display_name": agent.display_name}
    assert fast[1]["assignee"] is None
    assert fast[0]["severity_label"] == "High"


def test_options_tag_escapes_and_marks_the_selected():
    html = Template("{% load tickets_tags %}{% options choices chosen %}").render(
        Context({"choices": [("a", "Ann <x>"), ('b"', "Bob & co")], "chosen": ['b"']})
    )
    assert html == (
        '<option value="a">Ann &lt;x&gt;</option>'
        '<option value="b&quot;" selected>Bob &amp; co</option>'
    )


def test_agent_choices_list_active_agents_by_name(db):
    from tickets.selectors import agent_choices

    make_agent(username="zed", first_name="Ada", last_name="Zed")
    make_agent(username="nameless", first_name="", last_name="")
    make_agent(username="gone", is_active=False)
    assert ("zed", "Ada Zed") in agent_choices()
    assert ("nameless", "nameless") in agent_choices()
    assert "gone" not in dict(agent_choices())


def test_dates_follow_the_current_time_zone_as_drf_does(agent, org_a):
    from django.utils import timezone

    ticket = make_ticket(actor=agent, organization=org_a)
    row = (
        Ticket.objects.select_related("organization", "assignee", "team", "requester")
        .annotate(
            parent_number=_number_of("parent"), duplicate_of_number=_number_of("duplicate_of")
        )
        .get(pk=ticket.pk)
    )
    request = APIRequestFactory().get("/api/v1/tickets/")
    request.user = agent
    with timezone.override("America/New_York"):
        serializer = TicketSerializer(row, context={"request": request})
        fast = serializer.data
        assert fast == _drf_output(serializer, row)
    assert fast["created_at"].endswith(("-05:00", "-04:00"))
    assert TicketSerializer(row, context={"request": request}).data["created_at"].endswith("Z")


def test_fields_that_need_the_request_keep_drf_per_instance_path(agent, org_a, settings):
    from helpdesk.api_serializers import FastReadMixin

    class Linked(FastReadMixin, serializers.Serializer):
        key = serializers.CharField()
        link = serializers.HyperlinkedIdentityField(
            view_name="api-ticket-detail", lookup_field="key", lookup_url_kwarg="key"
        )

    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    ticket = make_ticket(actor=agent, organization=org_a)
    for host in ("one.example", "two.example"):
        request = APIRequestFactory().get("/", HTTP_HOST=host)
        data = Linked(ticket, context={"request": request}).data
        assert data["link"] == f"http://{host}/api/v1/tickets/{ticket.key}/"
    assert Linked._fast_read_plan is False
