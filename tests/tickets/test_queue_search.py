"""The top search: a key jumps to the ticket, words search every status; organizations by name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory, TeamFactory, make_agent, make_ticket
from tickets import queue, services
from tickets.choices import Status

pytestmark = pytest.mark.django_db


def _closed(agent, **fields):
    ticket = make_ticket(actor=agent, **fields)
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent)
    return ticket


def _keys(response) -> list[str]:
    return [t.key for t in response.context["page"].rows]


def test_a_key_in_the_top_search_jumps_to_a_closed_ticket(client, agent):
    closed = _closed(agent)
    client.force_login(agent)

    response = client.get(reverse("ticket_search"), {"q": closed.key.lower()})

    assert response.status_code == 302
    assert response["Location"] == closed.get_absolute_url()


def test_a_key_the_user_may_not_see_gives_the_same_answer_as_no_ticket(client, agent):
    security = make_agent(teams=[TeamFactory(is_security=True)])
    hidden = make_ticket(actor=security, is_security=True, title="Token leak")
    client.force_login(agent)

    answers = []
    for key in (hidden.key, "SUP-99999999"):
        response = client.get(reverse("ticket_search"), {"q": key}, follow=True)
        answers.append((response.redirect_chain[-1][0].replace(key, "KEY"), _keys(response)))
        assert hidden.title not in response.content.decode()

    assert answers[0] == answers[1]
    assert answers[0][1] == []


def test_a_key_in_the_queue_search_finds_the_ticket_whatever_the_status_filter(client, agent):
    closed = _closed(agent)
    client.force_login(agent)

    response = client.get(reverse("queue"), {"q": closed.key})  # "All open" by default

    assert _keys(response) == [closed.key]


def test_words_in_the_top_search_cover_every_status(client, agent):
    open_one = make_ticket(actor=agent, title="Webhook retries stall")
    closed = _closed(agent, title="Webhook signature mismatch")
    make_ticket(actor=agent, title="Billing address")
    client.force_login(agent)

    response = client.get(reverse("ticket_search"), {"q": "webhook"}, follow=True)

    assert sorted(_keys(response)) == sorted([open_one.key, closed.key])
    assert response.context["page"].query.status == ("all",)


def test_a_word_search_of_open_tickets_offers_every_status_in_one_click(client, agent):
    _closed(agent, title="Webhook signature mismatch")
    client.force_login(agent)

    body = client.get(reverse("queue"), {"q": "webhook"}).content.decode()

    assert "Searched open tickets only" in body
    assert "status=all" in body
    assert "Search every status" in body


def test_the_organization_filter_takes_a_name(client, agent):
    acme = OrganizationFactory(name="Acme Corp", slug="acme-corp-42")
    mine = make_ticket(actor=agent, organization=acme)
    make_ticket(actor=agent)
    client.force_login(agent)

    for typed in ("Acme Corp", "acme corp", "acme-corp-42"):
        assert _keys(client.get(reverse("queue"), {"organization": typed})) == [mine.key], typed


def test_organizations_are_offered_by_name_from_a_bounded_query(
    client, agent, django_assert_max_num_queries
):
    for i in range(30):
        OrganizationFactory(name=f"Acme {i:02d}", slug=f"acme-{i:02d}")
    OrganizationFactory(name="Globex", slug="globex")
    client.force_login(agent)
    client.get(reverse("queue_organizations"), {"organization": "acm"})

    with django_assert_max_num_queries(4):
        body = client.get(reverse("queue_organizations"), {"organization": "acm"}).content
    body = body.decode()

    assert body.count("<option") == queue.ORGANIZATION_OPTIONS
    assert 'value="Acme 00"' in body
    assert "Globex" not in body


def test_customers_get_no_organization_list(client, customer_a):
    client.force_login(customer_a)
    response = client.get(reverse("queue_organizations"), {"organization": "a"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"status": "all"},
        {"status": "all", "q": "webhook"},
        {"status": "closed"},
        {"sla": "paused"},
        {"status": "all", "organization": "Acme Corp"},
    ],
)
def test_new_list_paths_keep_to_the_query_budget(
    client, agent, params, django_assert_max_num_queries
):
    acme = OrganizationFactory(name="Acme Corp", slug="acme-corp")
    for i in range(4):
        make_ticket(actor=agent, organization=acme, title=f"Webhook retries {i}")
        _closed(agent, organization=acme, title=f"Webhook signature {i}")
    client.force_login(agent)
    client.get(reverse("queue"), {**params, "sort": "sla"})  # pickers cached from here on

    for sort in queue.SORTS:
        with django_assert_max_num_queries(10):
            response = client.get(reverse("queue"), {**params, "sort": sort})
        assert response.status_code == 200
