"""My pages, the links in page emails, the ticket's side panel and the API, as people use them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from escalation.models import Page, PageState, PageToken
from escalation.paging.tasks import page_start_task
from helpdesk import clock
from helpdesk.models import OutboundMessage, Role
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer():
    return make_agent(username="eng", role=Role.ENGINEER, first_name="Eve", last_name="Ng")


@pytest.fixture
def page(engineer, org_a):
    make_policy({"users": [engineer], "wait_minutes": 5}, severity=1)
    ticket = make_ticket(organization=org_a, severity=1, title="Payments fail")
    page_start_task(ticket.pk)
    return Page.objects.get(ticket=ticket)


def _links(user) -> dict[str, str]:
    body = OutboundMessage.objects.get(channel="email", recipient=user.email).body
    return dict(re.findall(r"^(Acknowledge|Resolve): https?://[^/]+(/\S+)$", body, re.M))


def _login(client, user):
    client.force_login(user)


def test_the_emailed_link_asks_on_get_and_acts_once_on_post(client, engineer, page):
    url = _links(engineer)["Acknowledge"]
    shown = client.get(url)
    assert shown.status_code == 200
    assert b"Acknowledge this page as Eve Ng?" in shown.content
    page.refresh_from_db()
    assert page.state == PageState.TRIGGERED  # a mail scanner's GET does nothing

    done = client.post(url)
    assert b"Acknowledged. Nobody else will be paged." in done.content
    page.refresh_from_db()
    assert (page.state, page.acknowledged_by, page.acknowledged_via) == (
        PageState.ACKNOWLEDGED,
        engineer,
        "email link",
    )

    again = client.post(url)
    assert again.status_code == 200
    assert b"This link was already used" in again.content
    page.refresh_from_db()
    assert page.acknowledged_at is not None
    assert PageToken.objects.filter(used_at__isnull=False).count() == 1


def test_an_expired_link_gets_a_clear_page_and_does_nothing(client, engineer, page):
    url = _links(engineer)["Resolve"]
    PageToken.objects.update(expires_at=clock.now() - timedelta(seconds=1))
    response = client.post(url)
    assert response.status_code == 200
    assert b"This link expired at" in response.content
    page.refresh_from_db()
    assert page.state == PageState.TRIGGERED


def test_a_made_up_link_gets_a_clear_page(client):
    response = client.get(reverse("page_link", args=["not-a-token"]))
    assert response.status_code == 404
    assert b"This link does not work" in response.content


def test_the_link_stores_only_a_hash(engineer, page):
    raw = _links(engineer)["Acknowledge"].rstrip("/").rsplit("/", 1)[1]
    assert not PageToken.objects.filter(token_hash=raw).exists()


def test_my_pages_lists_and_acknowledges(client, engineer, page):
    _login(client, engineer)
    listed = client.get(reverse("my_pages"))
    assert b"Payments fail" in listed.content
    response = client.post(
        reverse("page_acknowledge", args=[page.pk]), {"from": "mine"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"Acknowledged: nobody else will be paged." in response.content
    assert b"My recent acknowledgements" in response.content
    page.refresh_from_db()
    assert page.acknowledged_via == "web"


def test_the_ticket_panel_shows_the_page_and_pages_by_hand(client, engineer, page, agent):
    _login(client, agent)
    panel = client.get(reverse("page_ticket_panel", args=[page.ticket.key]))
    assert b"P1 ticket" in panel.content
    assert b"Eve Ng" in panel.content
    started = client.post(
        reverse("page_ticket_start", args=[page.ticket.key]), HTTP_HX_REQUEST="true"
    )
    assert b"On-call paged." in started.content
    assert Page.objects.filter(ticket=page.ticket).count() == 2
    again = client.post(
        reverse("page_ticket_start", args=[page.ticket.key]), HTTP_HX_REQUEST="true"
    )
    assert b"already has an open page" in again.content
    assert Page.objects.filter(ticket=page.ticket).count() == 2


def test_the_ticket_page_has_the_panels_placeholder(client, agent, page):
    _login(client, agent)
    response = client.get(page.ticket.get_absolute_url())
    assert reverse("page_ticket_panel", args=[page.ticket.key]).encode() in response.content


def test_a_customer_gets_404_on_every_escalation_url(client, engineer, page, customer_a):
    raw = _links(engineer)["Acknowledge"]
    _login(client, customer_a)
    key = page.ticket.key
    gets = [
        reverse("my_pages"),
        reverse("page_detail", args=[page.pk]),
        reverse("page_ticket_panel", args=[key]),
        raw,
        "/api/v1/pages/",
        f"/api/v1/pages/{page.pk}/",
    ]
    posts = [
        reverse("page_acknowledge", args=[page.pk]),
        reverse("page_resolve", args=[page.pk]),
        reverse("page_ticket_start", args=[key]),
        raw,
        f"/api/v1/pages/{page.pk}/acknowledge/",
        f"/api/v1/pages/{page.pk}/resolve/",
        f"/api/v1/tickets/{key}/pages/",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url).status_code == 404, url
    page.refresh_from_db()
    assert page.state == PageState.TRIGGERED
    assert Page.objects.count() == 1


def test_an_agent_who_may_not_see_the_ticket_gets_404(client, org_a):
    outsider = make_agent(username="outsider")
    make_policy({"users": [make_agent()]}, security_only=True)
    ticket = make_ticket(organization=org_a, severity=3, is_security=True)
    page_start_task(ticket.pk)
    page = Page.objects.get()
    _login(client, outsider)
    assert client.get(reverse("page_detail", args=[page.pk])).status_code == 404
    assert client.post(reverse("page_acknowledge", args=[page.pk])).status_code == 404


def test_the_api_lists_mine_acknowledges_and_starts(client, engineer, page, org_a):
    _login(client, engineer)
    mine = client.get("/api/v1/pages/").json()["results"]
    assert [(p["id"], p["ticket"], p["state"], p["level"]) for p in mine] == [
        (page.pk, page.ticket.key, "triggered", 1)
    ]
    assert mine[0]["notified"][0]["user"] == "eng"
    acked = client.post(f"/api/v1/pages/{page.pk}/acknowledge/").json()
    assert (acked["changed"], acked["page"]["acknowledged_by"]) == (True, "eng")
    assert client.post(f"/api/v1/pages/{page.pk}/acknowledge/").json()["changed"] is False

    started = client.post(f"/api/v1/tickets/{page.ticket.key}/pages/")
    assert started.status_code == 201
    assert started.json()["reason"] == "manual"
    conflict = client.post(f"/api/v1/tickets/{page.ticket.key}/pages/")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "already_paged"
    assert client.get("/api/v1/pages/999999/").json()["error"]["code"] == "not_found"
