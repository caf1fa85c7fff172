"""Followers (agents) and CC (the requester's colleagues): who they are, what they are told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import Notification
from tests.factories import make_agent, make_contact, make_ticket
from tickets import services
from tickets.choices import Status
from tickets.followers import cc_candidates, cc_of, followers_of
from tickets.models import TicketCc, TicketEvent, TicketFollower

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def told(kind: str | None = None) -> list[tuple[str, str]]:
    qs = Notification.objects.order_by("user__username", "kind", "id")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.values_list("user__username", "kind"))


@pytest.fixture
def owner():
    return make_agent(username="owner")


@pytest.fixture
def ticket(owner, customer_a, org_a):
    return make_ticket(
        actor=owner, organization=org_a, requester=customer_a, assignee=owner, title="Login loop"
    )


@pytest.fixture
def colleague(org_a):
    return make_contact(org_a, username="cole", first_name="Cole", last_name="Acme")


def test_follow_is_recorded_once_and_unfollow_removes_it(agent, ticket):
    assert services.ticket_follow(ticket=ticket, user=agent) is True
    assert services.ticket_follow(ticket=ticket, user=agent) is False
    assert followers_of(ticket) == [agent]
    assert services.ticket_unfollow(ticket=ticket, user=agent) is True
    assert followers_of(ticket) == []
    summaries = list(
        TicketEvent.objects.filter(ticket=ticket, field="followers").values_list(
            "after__summary", flat=True
        )
    )
    assert summaries == ["started following", "stopped following"]


def test_customers_cannot_follow(customer_a, ticket):
    with pytest.raises(Forbidden):
        services.ticket_follow(ticket=ticket, user=customer_a)
    assert not TicketFollower.objects.exists()


def test_a_follower_is_told_once_of_replies_status_and_assignment_never_of_their_own(
    agent, owner, ticket, customer_a, django_capture_on_commit_callbacks
):
    services.ticket_follow(ticket=ticket, user=agent)
    services.ticket_follow(ticket=ticket, user=owner)  # the assignee is told as owner already
    Notification.objects.all().delete()
    other = make_agent(username="zoe")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=customer_a, body="Still looping")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, assignee=other, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, to=Status.IN_PROGRESS, actor=agent)  # own

    # The owner, once no longer the assignee, hears of a move made by someone else.
    assert told("followed") == [("agent", "followed")] * 3 + [("owner", "followed")]
    titles = list(
        Notification.objects.filter(user=agent).order_by("id").values_list("title", flat=True)
    )
    key = ticket.key
    assert titles == [
        f"Casey Acme replied on {key} (you follow it)",
        f"{key} is now investigating",
        f"{key} is now assigned to {other.display_name}",
    ]
    # The owner heard the customer's reply once, as the owner.
    assert told("customer_reply") == [("owner", "customer_reply")]
    owner_heard = Notification.objects.filter(user=owner, kind="followed").values_list("title")
    assert list(owner_heard) == [(f"{key} is now in progress",)]


def test_cc_colleague_is_added_sees_it_marked_and_gets_public_updates_once(
    client, owner, ticket, customer_a, colleague, django_capture_on_commit_callbacks
):
    assert services.ticket_cc_add(ticket=ticket, contact=colleague, actor=customer_a)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=owner, body="We are on it")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(ticket=ticket, author=owner, body="Internal", is_internal=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(
            ticket=ticket, to=Status.WAITING_ON_CUSTOMER, actor=owner, message="Which browser?"
        )

    assert told() == [
        ("cole", "agent_reply"),
        ("cole", "status"),
        ("cust_a", "agent_reply"),
        ("cust_a", "status"),
    ]
    assert Notification.objects.get(user=colleague, kind="status").body == "Which browser?"

    client.force_login(colleague)
    listing = client.get(reverse("portal")).content.decode()
    assert 'title="You are copied on this ticket">CC</span>' in listing
    page = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()
    assert "Cole Acme" in page


def test_cc_of_another_organization_is_refused_and_nothing_is_written(
    client, ticket, customer_a, customer_b
):
    with pytest.raises(DomainError) as refused:
        services.ticket_cc_add(ticket=ticket, contact=customer_b, actor=customer_a)
    assert refused.value.code == "cc_other_organization"

    client.force_login(customer_a)
    response = client.post(
        reverse("portal_cc_add", args=[ticket.key]), {"user": customer_b.pk}, **HX
    )
    assert "Only active colleagues of the same organization" in response.content.decode()
    assert not TicketCc.objects.exists()
    # A contact of the other organization cannot reach the ticket's CC at all.
    client.force_login(customer_b)
    url = reverse("portal_cc_add", args=[ticket.key])
    assert client.post(url, {"user": customer_b.pk}).status_code == 404
    assert not TicketCc.objects.exists()


def test_security_reports_take_no_cc(owner, org_a, customer_a, colleague):
    report = make_ticket(
        actor=customer_a, organization=org_a, requester=customer_a, is_security=True
    )
    with pytest.raises(DomainError):
        services.ticket_cc_add(ticket=report, contact=colleague, actor=customer_a)
    assert cc_of(report) == []


def test_picker_offers_colleagues_by_name_or_email_bounded(ticket, org_a, customer_a, colleague):
    for n in range(12):
        make_contact(org_a, username=f"dev{n}", first_name="Dev", last_name=f"N{n}")
    make_contact(username="outsider", first_name="Cole", last_name="Other")  # another org

    assert list(cc_candidates(ticket, query="cole")) == [colleague]
    assert list(cc_candidates(ticket, query="cole@example")) == [colleague]
    assert len(cc_candidates(ticket, query="dev")) == 10
    assert customer_a not in cc_candidates(ticket, query="casey")


def test_follow_button_toggles(client, agent, ticket):
    client.force_login(agent)
    url = reverse("ticket_follow", args=[ticket.key])
    html = client.post(url, {"follow": "1"}, **HX).content.decode()
    assert "Following ✓ · Unfollow" in html
    assert followers_of(ticket) == [agent]
    client.post(url, {"follow": "0"}, **HX)
    assert followers_of(ticket) == []
