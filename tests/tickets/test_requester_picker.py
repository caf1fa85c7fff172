"""The New ticket page's requester picker: search by name or email, and a contact made inline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.models import User
from tests.factories import make_contact
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(org_a, org_b, customer_a, customer_b):
    make_contact(
        org_a, username="dana", first_name="Dana", last_name="Scully", email="dana@acme.io"
    )
    for n in range(12):
        make_contact(org_a, username=f"dev{n}", first_name="Dev", last_name=f"N{n}")


def _search(client, query, organization=""):
    url = reverse("ticket_new_requesters")
    return client.get(url, {"requester": query, "organization": organization}, **HX)


def test_search_finds_contacts_by_name_or_email_bounded(client, agent, people):
    client.force_login(agent)
    by_name = _search(client, "scully").content.decode()
    assert 'data-requester="dana@acme.io" data-organization="acme"' in by_name
    assert "Dana Scully" in by_name
    assert 'data-requester="dana@acme.io"' in _search(client, "dana@acme").content.decode()
    assert _search(client, "dev").content.decode().count('class="requester-option"') == 10
    other_org = _search(client, "scully", organization="globex").content.decode()
    assert "dana@acme.io" not in other_org
    assert "No contact of Globex matches “scully”." in other_org


def test_customers_cannot_search_contacts(client, customer_a, people):
    client.force_login(customer_a)
    assert _search(client, "dana").status_code in (302, 403, 404)


def test_ticket_opened_for_the_contact_picked_by_email(client, agent, people, org_a):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_new"),
        {
            "organization": "acme",
            "requester": "DANA@acme.io",
            "channel": "phone",
            "title": "Cannot export",
            "severity": "3",
            "issue_type": "question",
            "category": "other",
            "environment": "production",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="Cannot export")
    assert ticket.requester.username == "dana"


def test_unknown_requester_is_refused_in_words(client, agent, people):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_new"),
        {"organization": "acme", "requester": "nobody@nowhere.io", "title": "x", "channel": "phone",
         "severity": "3", "issue_type": "question", "category": "other",
         "environment": "production"},
    )  # fmt: skip
    assert "No contact with the name or email “nobody@nowhere.io”." in response.content.decode()
    assert not Ticket.objects.filter(title="x").exists()


def test_new_contact_belongs_to_the_chosen_organization_and_is_picked(client, agent, org_a):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_new_contact"),
        {"organization": "acme", "contact_name": "Fox Mulder", "contact_email": "fox@acme.io"},
        **HX,
    )
    html = response.content.decode()
    assert 'id="requester-created" data-requester="fox@acme.io"' in html
    fox = User.objects.get(email="fox@acme.io")
    assert (fox.role, fox.contact.organization, fox.display_name) == (
        "customer",
        org_a,
        "Fox Mulder",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"contact_name": "Fox", "contact_email": "fox@acme.io"}, "Choose the customer first"),
        ({"organization": "acme", "contact_name": "Fox", "contact_email": "not-an-email"},
         "Enter a valid email address."),
        ({"organization": "acme", "contact_name": "", "contact_email": "fox@acme.io"},
         "This field is required."),
        ({"organization": "acme", "contact_name": "Casey", "contact_email": "cust_a@example.com"},
         "is already a contact of Acme Corp: pick them above."),
    ],
)  # fmt: skip
def test_new_contact_is_validated_and_nothing_is_made(client, agent, customer_a, data, message):
    client.force_login(agent)
    before = User.objects.count()
    response = client.post(reverse("ticket_new_contact"), data, **HX)
    assert message in response.content.decode()
    assert User.objects.count() == before
