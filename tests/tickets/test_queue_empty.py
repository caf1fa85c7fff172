from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_a_filtered_empty_list_says_nothing_matches_and_offers_to_clear(client, agent):
    make_ticket(actor=agent, organization=OrganizationFactory(slug="acme"))
    client.force_login(agent)

    body = client.get(reverse("queue"), {"organization": "nobody"}).content.decode()

    assert "No tickets match these filters" in body
    assert "Clear filters" in body
    assert "The queue is clear" not in body


def test_an_empty_queue_without_filters_is_clear(client, agent):
    client.force_login(agent)

    body = client.get(reverse("queue")).content.decode()

    assert "The queue is clear" in body
    assert "Clear filters" not in body
