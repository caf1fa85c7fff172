from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from helpdesk.models import ApiToken
from tests.factories import OrganizationFactory, TeamFactory, make_agent, make_contact, make_ticket
from tickets import services
from tickets.choices import EventKind, Status
from tickets.models import Attachment, Comment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

FIXED = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
BASE = "http://testserver/api/v1"


@pytest.fixture
def api():
    """A client authenticated the way real clients are: a Bearer token."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, raw = ApiToken.issue(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


def keys(response) -> list[str]:
    return [row["key"] for row in response.json()["results"]]


def error(response) -> dict:
    return response.json()["error"]


def walk(client, url: str) -> list[str]:
    seen: list[str] = []
    for _ in range(50):  # bounded: a broken cursor must fail the test, not hang it
        response = client.get(url)
        assert response.status_code == 200
        seen += keys(response)
        url = response.json()["next"]
        if url is None:
            return seen
    raise AssertionError("pagination never ended")


# ---------------------------------------------------------------------------------------------
# List and filters


def test_list_shows_visible_tickets_most_recently_updated_first(api, agent, org_a, org_b):
    older = make_ticket(actor=agent, organization=org_a, now=FIXED)
    newer = make_ticket(actor=agent, organization=org_b, now=FIXED + timedelta(minutes=1))

    response = api(agent).get("/api/v1/tickets/")

    assert response.status_code == 200
    assert keys(response) == [newer.key, older.key]
    assert response.json()["next"] is None
    assert response.json()["previous"] is None


def test_customer_lists_only_their_organizations_tickets(api, agent, org_a, org_b, customer_a):
    own = make_ticket(actor=agent, organization=org_a)
    make_ticket(actor=agent, organization=org_b)

    response = api(customer_a).get("/api/v1/tickets/")

    assert keys(response) == [own.key]


def test_agent_without_clearance_does_not_list_security_tickets(api, agent, org_a, manager):
    public = make_ticket(actor=manager, organization=org_a)
    make_ticket(actor=manager, organization=org_a, is_security=True)

    assert keys(api(agent).get("/api/v1/tickets/")) == [public.key]


def test_status_filter_accepts_repeats_commas_and_open(api, agent, org_a):
    new = make_ticket(actor=agent, organization=org_a, now=FIXED)
    investigating = make_ticket(actor=agent, organization=org_a, now=FIXED)
    services.ticket_transition(
        ticket=investigating, to=Status.INVESTIGATING, actor=agent, now=FIXED + timedelta(minutes=1)
    )
    resolved = make_ticket(actor=agent, organization=org_a, now=FIXED)
    services.ticket_transition(
        ticket=resolved, to=Status.RESOLVED, actor=agent, now=FIXED + timedelta(minutes=2)
    )
    client = api(agent)

    assert keys(client.get("/api/v1/tickets/?status=new&status=resolved")) == [
        resolved.key,
        new.key,
    ]
    assert keys(client.get("/api/v1/tickets/?status=new,investigating")) == [
        investigating.key,
        new.key,
    ]
    assert keys(client.get("/api/v1/tickets/?status=open")) == [investigating.key, new.key]
    assert keys(client.get("/api/v1/tickets/")) == [resolved.key, investigating.key, new.key]


def test_severity_filter_accepts_numbers_and_p_codes(api, agent, org_a):
    p1 = make_ticket(actor=agent, organization=org_a, severity=1, now=FIXED)
    p2 = make_ticket(actor=agent, organization=org_a, severity=2, now=FIXED)
    make_ticket(actor=agent, organization=org_a, severity=4, now=FIXED)
    client = api(agent)

    assert keys(client.get("/api/v1/tickets/?severity=P1")) == [p1.key]
    assert keys(client.get("/api/v1/tickets/?severity=2")) == [p2.key]
    assert keys(client.get("/api/v1/tickets/?severity=p1,2")) == [p2.key, p1.key]


def test_team_assignee_organization_category_and_tag_filters(api, agent, org_a, org_b):
    other_agent = make_agent(username="other")
    team = TeamFactory(slug="tier2")
    mine = make_ticket(actor=agent, organization=org_a, assignee=agent, now=FIXED)
    theirs = make_ticket(
        actor=agent,
        organization=org_b,
        assignee=other_agent,
        team=team,
        category="performance",
        tags=["rate-limit"],
        now=FIXED + timedelta(minutes=1),
    )
    nobody = make_ticket(actor=agent, organization=org_a, now=FIXED + timedelta(minutes=2))
    client = api(agent)

    assert keys(client.get("/api/v1/tickets/?assignee=me")) == [mine.key]
    assert keys(client.get("/api/v1/tickets/?assignee=none")) == [nobody.key]
    assert keys(client.get("/api/v1/tickets/?assignee=other")) == [theirs.key]
    assert keys(client.get("/api/v1/tickets/?assignee=nobody-by-that-name")) == []
    assert keys(client.get("/api/v1/tickets/?team=tier2")) == [theirs.key]
    assert keys(client.get("/api/v1/tickets/?organization=acme")) == [nobody.key, mine.key]
    assert keys(client.get("/api/v1/tickets/?category=performance")) == [theirs.key]
    assert keys(client.get("/api/v1/tickets/?tag=Rate-Limit")) == [theirs.key]


def test_full_text_search_uses_web_search_syntax(api, agent, org_a):
    sso = make_ticket(
        actor=agent,
        organization=org_a,
        title="SSO login fails",
        description="Invalid issuer after the configuration update",
        now=FIXED,
    )
    webhook = make_ticket(
        actor=agent,
        organization=org_a,
        title="Webhook retries",
        description="Login page is fine but webhooks fail",
        now=FIXED + timedelta(minutes=1),
    )
    client = api(agent)

    assert keys(client.get("/api/v1/tickets/", {"q": "issuer"})) == [sso.key]
    assert keys(client.get("/api/v1/tickets/", {"q": "login"})) == [webhook.key, sso.key]
    assert keys(client.get("/api/v1/tickets/", {"q": "login -webhooks"})) == [sso.key]
    assert keys(client.get("/api/v1/tickets/", {"q": '"invalid issuer"'})) == [sso.key]


def test_unknown_filter_values_are_refused_with_field_messages(api, agent):
    response = api(agent).get(
        "/api/v1/tickets/?status=open,bogus&severity=P9&category=weather&sort=random&page_size=500"
    )

    assert response.status_code == 400
    assert error(response) == {
        "code": "validation_error",
        "message": "Invalid input.",
        "fields": {
            "status": ['"bogus" is not a valid choice.'],
            "severity": ["“P9” is not a severity: use 1-4 or P1-P4."],
            "category": ['"weather" is not a valid choice.'],
            "sort": ['"random" is not a valid choice.'],
            "page_size": ["Ensure this value is less than or equal to 200."],
        },
    }


def test_customers_cannot_filter_on_agent_only_fields(api, customer_a):
    response = api(customer_a).get("/api/v1/tickets/?team=tier2&tag=vip")

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "team": ["Only agents can filter on this."],
        "tag": ["Only agents can filter on this."],
    }


# ---------------------------------------------------------------------------------------------
# Pagination


@pytest.mark.parametrize(
    ("sort", "expected_order"),
    [
        ("-updated_at", lambda ts: sorted(ts, key=lambda t: (t.updated_at, t.pk), reverse=True)),
        ("updated_at", lambda ts: sorted(ts, key=lambda t: (t.updated_at, t.pk))),
        ("-created_at", lambda ts: sorted(ts, key=lambda t: (t.created_at, t.pk), reverse=True)),
        ("created_at", lambda ts: sorted(ts, key=lambda t: (t.created_at, t.pk))),
        ("severity", lambda ts: sorted(ts, key=lambda t: (t.severity, -t.pk))),
    ],
)
def test_cursor_pagination_walks_every_row_once_in_order(api, agent, org_a, sort, expected_order):
    # Ties on the sort key on purpose: the id must break them across page boundaries.
    tickets = [
        make_ticket(
            actor=agent,
            organization=org_a,
            severity=1 + i % 3,
            now=FIXED + timedelta(minutes=i // 3),
        )
        for i in range(11)
    ]

    seen = walk(api(agent), f"/api/v1/tickets/?sort={sort}&page_size=4")

    assert seen == [t.key for t in expected_order(tickets)]
    assert len(set(seen)) == 11


def test_previous_link_returns_the_page_before(api, agent, org_a):
    tickets = [
        make_ticket(actor=agent, organization=org_a, now=FIXED + timedelta(minutes=i))
        for i in range(7)
    ]
    newest_first = [t.key for t in reversed(tickets)]
    client = api(agent)

    first = client.get("/api/v1/tickets/?page_size=3&status=new").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    back = client.get(third["previous"]).json()
    back_to_start = client.get(back["previous"]).json()

    assert [r["key"] for r in third["results"]] == newest_first[6:]
    assert third["next"] is None
    assert [r["key"] for r in back["results"]] == newest_first[3:6]
    assert [r["key"] for r in back_to_start["results"]] == newest_first[:3]
    assert back_to_start["previous"] is None
    next_url = urlsplit(back_to_start["next"])
    assert (next_url.path, sorted(parse_qs(next_url.query))) == (
        "/api/v1/tickets/",
        ["cursor", "page_size", "status"],
    )


def test_a_mangled_cursor_or_one_from_another_sort_is_a_clear_error(api, agent, org_a):
    for i in range(3):
        make_ticket(actor=agent, organization=org_a, now=FIXED + timedelta(minutes=i))
    client = api(agent)
    next_url = client.get("/api/v1/tickets/?page_size=1").json()["next"]
    cursor = next_url.split("cursor=")[1]

    mangled = client.get("/api/v1/tickets/?cursor=not-a-cursor")
    other_sort = client.get(f"/api/v1/tickets/?sort=severity&cursor={cursor}")

    for response in (mangled, other_sort):
        assert response.status_code == 400
        assert error(response)["code"] == "invalid_cursor"
        assert list(error(response)["fields"]) == ["cursor"]


def test_list_query_count_does_not_grow_with_rows(
    api, agent, org_a, org_b, customer_a, django_assert_num_queries
):
    team = TeamFactory()
    for i in range(5):
        make_ticket(
            actor=agent,
            organization=org_a if i % 2 else org_b,
            requester=None,
            assignee=agent,
            team=team,
            tags=["x"],
        )
    agent_client, customer_client = api(agent), api(customer_a)
    # The first request of a token records its use; after that a request is only reads.
    agent_client.get("/api/v1/tickets/")
    customer_client.get("/api/v1/tickets/")

    # token lookup, security clearance, the page
    with django_assert_num_queries(3):
        assert len(keys(agent_client.get("/api/v1/tickets/"))) == 5
    with django_assert_num_queries(3):  # token lookup, the contact's organization, the page
        assert len(keys(customer_client.get("/api/v1/tickets/"))) == 2

    parent = make_ticket(actor=agent, organization=org_a)
    for i in range(25):
        make_ticket(
            actor=agent,
            organization=org_a if i % 2 else org_b,
            requester=customer_a if i % 2 else None,
            assignee=agent,
            team=team,
            tags=["x"],
            parent=parent,
        )

    with django_assert_num_queries(3):
        assert len(keys(agent_client.get("/api/v1/tickets/"))) == 31
    with django_assert_num_queries(3):
        assert len(keys(customer_client.get("/api/v1/tickets/"))) == 15


# ---------------------------------------------------------------------------------------------
# Create


def test_agent_opens_a_ticket_for_a_customer(api, agent, org_a, customer_a):
    TeamFactory(slug="tier2", name="Tier 2")
    make_agent(username="sam", first_name="Sam", last_name="Support")
    incident = make_ticket(actor=agent, organization=org_a, title="Auth outage")
    body = {
        "organization": "acme",
        "requester": "cust_a",
        "title": "  Customer unable to login ",
        "description": "Multiple users report **Invalid credentials**.",
        "issue_type": "bug",
        "severity": "P1",
        "category": "authentication",
        "environment": "production",
        "channel": "phone",
        "assignee": "sam",
        "team": "tier2",
        "affected_users": 50,
        "business_impact": "revenue_blocking",
        "browser": "Chrome 118",
        "platform": "Windows 11",
        "account_type": "SSO enabled",
        "recent_changes": "SSO config updated yesterday",
        "tags": ["SSO", "login"],
        "parent": incident.key,
    }

    with time_machine.travel(FIXED, tick=False):
        response = api(agent).post("/api/v1/tickets/", body, format="json")

    assert response.status_code == 201
    ticket = Ticket.objects.get(title="Customer unable to login")
    key = ticket.key
    assert response["Location"] == f"{BASE}/tickets/{key}/"
    assert response.json() == {
        "key": key,
        "number": ticket.number,
        "title": "Customer unable to login",
        "description": "Multiple users report **Invalid credentials**.",
        "status": "new",
        "severity": 1,
        "severity_label": "Critical",
        "issue_type": "bug",
        "category": "authentication",
        "environment": "production",
        "channel": "phone",
        "organization": {"slug": "acme", "name": "Acme Corp", "tier": "enterprise"},
        "requester": {"username": "cust_a", "display_name": "Casey Acme"},
        "assignee": {"username": "sam", "display_name": "Sam Support"},
        "team": {"slug": "tier2", "name": "Tier 2"},
        "affected_users": 50,
        "business_impact": "revenue_blocking",
        "workaround_available": False,
        "workaround": "",
        "product_version": "",
        "browser": "Chrome 118",
        "platform": "Windows 11",
        "account_type": "SSO enabled",
        "error_message": "",
        "request_id": "",
        "affected_endpoint": "",
        "recent_changes": "SSO config updated yesterday",
        "tags": ["sso", "login"],
        "is_security": False,
        "parent": incident.key,
        "duplicate_of": None,
        "merged_into": None,
        "follow_up_of": None,
        "created_at": "2025-03-03T10:00:00Z",
        "updated_at": "2025-03-03T10:00:00Z",
        "first_response_at": None,
        "resolved_at": None,
        "closed_at": None,
        "url": f"{BASE}/tickets/{key}/",
    }
    assert ticket.requester == customer_a
    assert list(ticket.events.values_list("kind", "actor__username")) == [
        (EventKind.CREATED, "agent")
    ]


def test_agent_create_defaults_the_channel_to_api(api, agent, org_a):
    response = api(agent).post(
        "/api/v1/tickets/", {"organization": "acme", "title": "Question"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["channel"] == "api"
    assert response.json()["requester"] is None


def test_customer_opens_a_ticket_for_themselves(api, customer_a, org_a):
    body = {
        "title": "429 on /v1/users",
        "severity": 3,
        "category": "performance",
        "request_id": "req-123",
    }

    response = api(customer_a).post("/api/v1/tickets/", body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["organization"]["slug"], data["requester"]["username"], data["channel"]) == (
        "acme",
        "cust_a",
        "api",
    )
    ticket = Ticket.objects.get()
    assert (ticket.organization, ticket.requester, ticket.severity, ticket.request_id) == (
        org_a,
        customer_a,
        3,
        "req-123",
    )


def test_customer_cannot_set_agent_fields_on_create(api, customer_a, agent, org_b):
    response = api(customer_a).post(
        "/api/v1/tickets/",
        {
            "title": "Hi",
            "assignee": "agent",
            "channel": "phone",
            "tags": ["vip"],
            "is_security": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "assignee": ["Only the support team can set this field."],
        "channel": ["Only the support team can set this field."],
        "tags": ["Only the support team can set this field."],
        "is_security": ["Only the support team can set this field."],
    }
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"organization": "acme"}, {"title": ["This field is required."]}),
        ({"organization": "acme", "title": "   "}, {"title": ["This field may not be blank."]}),
        ({"title": "x"}, {"organization": ["This field is required."]}),
        ({"organization": "nope", "title": "x"}, {"organization": ["No organization “nope”."]}),
        (
            {"organization": "acme", "title": "x", "severity": "P5"},
            {"severity": ["“P5” is not a severity: use 1-4 or P1-P4."]},
        ),
        (
            {"organization": "acme", "title": "x", "category": "weather"},
            {"category": ['"weather" is not a valid choice.']},
        ),
        (
            {"organization": "acme", "title": "x", "assignee": "ghost"},
            {"assignee": ["No active agent “ghost”."]},
        ),
        (
            {"organization": "acme", "title": "x", "parent": "SUP-1"},
            {"parent": ["No ticket “SUP-1”."]},
        ),
        (
            {"organization": "acme", "title": "x", "tags": ["bad tag!"]},
            {"tags": ["“bad tag!” is not a valid tag: use letters, digits, - _ . : (at most 50)."]},
        ),
        (
            {"organization": "acme", "title": "x", "requester": "cust_b"},
            {"requester": ["The requester must be a contact of the organization."]},
        ),
    ],
)
def test_bad_ticket_input_is_a_clear_error_and_writes_nothing(
    api, agent, org_a, customer_b, body, fields
):
    response = api(agent).post("/api/v1/tickets/", body, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == fields
    assert error(response)["code"] in {"validation_error", "invalid"}
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_malformed_json_is_a_malformed_request(api, agent, org_a):
    response = api(agent).post(
        "/api/v1/tickets/", '{"organization": "acme", "title": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert error(response)["code"] == "malformed_request"
    assert error(response)["message"].startswith("JSON parse error")
    assert Ticket.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Detail, update, transition


def test_detail_by_key(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, title="Webhook retries")

    response = api(agent).get(f"/api/v1/tickets/{ticket.key}/")

    assert response.status_code == 200
    assert (response.json()["key"], response.json()["title"]) == (ticket.key, "Webhook retries")


def test_out_of_scope_or_unknown_ticket_is_404(api, agent, org_a, customer_b):
    ticket = make_ticket(actor=agent, organization=org_a)
    client = api(customer_b)

    for url in (
        f"/api/v1/tickets/{ticket.key}/",
        f"/api/v1/tickets/{ticket.key}/comments/",
        f"/api/v1/tickets/{ticket.key}/attachments/",
        f"/api/v1/tickets/{ticket.key}/events/",
        "/api/v1/tickets/SUP-999999/",
        "/api/v1/tickets/not-a-key/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert error(response) == {"code": "not_found", "message": "Not found.", "fields": {}}

    response = client.post(
        f"/api/v1/tickets/{ticket.key}/comments/", {"body": "hello?"}, format="json"
    )
    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_customers_get_null_for_agent_only_fields(api, agent, org_a, customer_a):
    team = TeamFactory()
    parent = make_ticket(actor=agent, organization=org_a)
    ticket = make_ticket(
        actor=agent, organization=org_a, team=team, tags=["churn-risk"], parent=parent
    )

    data = api(customer_a).get(f"/api/v1/tickets/{ticket.key}/").json()

    assert (data["team"], data["tags"], data["parent"], data["duplicate_of"]) == (
        None,
        [],
        None,
        None,
    )


def test_agent_updates_fields(api, agent, org_a):
    other = make_agent(username="sam", first_name="Sam", last_name="Support")
    TeamFactory(slug="tier2", name="Tier 2")
    original = make_ticket(actor=agent, organization=org_a)
    ticket = make_ticket(actor=agent, organization=org_a, severity=3)

    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.key}/",
        {
            "severity": 2,
            "assignee": "sam",
            "team": "tier2",
            "tags": ["Billing"],
            "duplicate_of": original.key,
        },
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["severity"], data["severity_label"], data["assignee"]["username"]) == (
        2,
        "High",
        "sam",
    )
    assert (data["team"]["slug"], data["tags"], data["duplicate_of"]) == (
        "tier2",
        ["billing"],
        original.key,
    )
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.assignee, ticket.duplicate_of) == (2, other, original)
    changed = ticket.events.exclude(kind=EventKind.CREATED).values_list("field", flat=True)
    assert sorted(changed) == [
        "assignee",
        "duplicate_of",
        "severity",
        "tags",
        "team",
    ]


def test_agent_clears_the_assignee_with_null(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, assignee=agent)

    response = api(agent).patch(f"/api/v1/tickets/{ticket.key}/", {"assignee": None}, format="json")

    assert response.json()["assignee"] is None
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_customer_cannot_edit_a_ticket(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, title="Original", requester=customer_a)

    response = api(customer_a).patch(
        f"/api/v1/tickets/{ticket.key}/", {"title": "Changed"}, format="json"
    )

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    ticket.refresh_from_db()
    assert ticket.title == "Original"
    assert ticket.events.count() == 1


def test_patch_refuses_status_and_organization(api, agent, org_a, org_b):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.key}/",
        {"status": "closed", "organization": "globex"},
        format="json",
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "status": ["Change the status with POST …/transition/."],
        "organization": ["This field cannot be changed."],
    }
    ticket.refresh_from_db()
    assert (ticket.status, ticket.organization) == (Status.NEW, org_a)


def test_agent_moves_a_ticket_along_the_lifecycle(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    with time_machine.travel(FIXED, tick=False):
        response = api(agent).post(
            f"/api/v1/tickets/{ticket.key}/transition/", {"status": "resolved"}, format="json"
        )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resolved_at"]) == (
        "resolved",
        "2025-03-03T10:00:00Z",
    )


def test_waiting_on_the_customer_takes_the_question_in_the_same_call(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    client = api(agent)
    url = f"/api/v1/tickets/{ticket.key}/transition/"

    bare = client.post(url, {"status": "waiting_on_customer"}, format="json")
    asked = client.post(
        url,
        {"status": "waiting_on_customer", "message": "Which region is the key in?"},
        format="json",
    )

    assert bare.status_code == 400
    assert error(bare)["code"] == "message_required"
    assert list(error(bare)["fields"]) == ["message"]
    assert asked.status_code == 200
    assert asked.json()["status"] == "waiting_on_customer"
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal, comment.author) == (
        "Which region is the key in?",
        False,
        agent,
    )


def test_illegal_transition_is_refused_and_changes_nothing(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent)
    events_before = ticket.events.count()

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/transition/", {"status": "investigating"}, format="json"
    )

    assert response.status_code == 400
    assert error(response) == {
        "code": "illegal_transition",
        "message": "Cannot move a ticket from “Closed” to “Investigating”. From “Closed” it can "
        "move to: nothing: a closed ticket is final.",
        "fields": {
            "status": [
                "Cannot move a ticket from “Closed” to “Investigating”. From “Closed” it can move "
                "to: nothing: a closed ticket is final."
            ]
        },
    }
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.count() == events_before


def test_unknown_status_is_a_field_error(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/transition/", {"status": "done"}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {"status": ['"done" is not a valid choice.']}


def test_customer_confirms_a_resolution_but_cannot_move_other_statuses(
    api, agent, org_a, customer_a
):
    resolved = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    services.ticket_transition(ticket=resolved, to=Status.RESOLVED, actor=agent)
    fresh = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    client = api(customer_a)

    confirmed = client.post(
        f"/api/v1/tickets/{resolved.key}/transition/", {"status": "closed"}, format="json"
    )
    refused = client.post(
        f"/api/v1/tickets/{fresh.key}/transition/", {"status": "resolved"}, format="json"
    )

    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "closed")
    assert refused.status_code == 400
    assert error(refused)["code"] == "transition_not_allowed"
    fresh.refresh_from_db()
    assert fresh.status == Status.NEW


# ---------------------------------------------------------------------------------------------
# Comments


def test_agent_sees_notes_and_customer_sees_only_replies(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    with time_machine.travel(FIXED, tick=False):
        reply = services.comment_add(ticket=ticket, author=agent, body="We are **on it**.")
    note = services.comment_add(ticket=ticket, author=agent, body="SSO?", is_internal=True)

    agent_view = api(agent).get(f"/api/v1/tickets/{ticket.key}/comments/").json()
    customer_view = api(customer_a).get(f"/api/v1/tickets/{ticket.key}/comments/").json()

    assert [c["id"] for c in agent_view["results"]] == [reply.pk, note.pk]
    assert customer_view == {
        "next": None,
        "previous": None,
        "results": [
            {
                "id": reply.pk,
                "author": {"username": "agent", "display_name": "Alex Agent"},
                "body": "We are **on it**.",
                "body_html": "<p>We are <strong>on it</strong>.</p>",
                "is_internal": False,
                "created_at": "2025-03-03T10:00:00Z",
                "attachments": [],
            }
        ],
    }


def test_customer_replies_and_agent_adds_a_note(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)

    reply = api(customer_a).post(
        f"/api/v1/tickets/{ticket.key}/comments/", {"body": "Still failing"}, format="json"
    )
    note = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/comments/",
        {"body": "Check logs", "is_internal": True},
        format="json",
    )

    assert reply.status_code == 201
    assert (reply.json()["author"]["username"], reply.json()["is_internal"]) == ("cust_a", False)
    assert note.status_code == 201
    assert note.json()["is_internal"] is True
    assert list(ticket.comments.order_by("id").values_list("body", "is_internal")) == [
        ("Still failing", False),
        ("Check logs", True),
    ]


def test_customer_cannot_add_an_internal_note(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)

    response = api(customer_a).post(
        f"/api/v1/tickets/{ticket.key}/comments/",
        {"body": "psst", "is_internal": True},
        format="json",
    )

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert Comment.objects.count() == 0


def test_empty_comment_is_refused(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/comments/", {"body": ""}, format="json"
    )

    assert response.status_code == 400
    assert error(response)["fields"] == {"body": ["This field may not be blank."]}
    assert Comment.objects.count() == 0


def test_comment_with_files_lists_them_without_internal_ones_for_customers(
    api, agent, org_a, customer_a
):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)

    response = api(customer_a).post(
        f"/api/v1/tickets/{ticket.key}/comments/",
        {
            "body": "Logs attached",
            "files": [
                SimpleUploadedFile("error.log", b"boom", content_type="text/plain"),
                SimpleUploadedFile("network.har", b"{}", content_type="application/json"),
            ],
        },
        format="multipart",
    )

    assert response.status_code == 201
    names = [
        (a["name"], a["size"], a["uploaded_by"]["username"]) for a in response.json()["attachments"]
    ]
    assert names == [("error.log", 4, "cust_a"), ("network.har", 2, "cust_a")]


# ---------------------------------------------------------------------------------------------
# Attachments


def test_upload_and_list_attachments(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    with time_machine.travel(FIXED, tick=False):
        response = api(customer_a).post(
            f"/api/v1/tickets/{ticket.key}/attachments/",
            {"file": SimpleUploadedFile("screenshot.png", b"\x89PNG....")},
            format="multipart",
        )
    internal = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/attachments/",
        {"file": SimpleUploadedFile("debug.txt", b"secret"), "is_internal": "true"},
        format="multipart",
    )

    assert response.status_code == 201
    attachment = Attachment.objects.get(original_name="screenshot.png")
    assert response.json() == {
        "id": attachment.pk,
        "name": "screenshot.png",
        "content_type": "image/png",
        "size": 8,
        "is_internal": False,
        "uploaded_by": {"username": "cust_a", "display_name": "Casey Acme"},
        "comment": None,
        "created_at": "2025-03-03T10:00:00Z",
        "download_url": f"http://testserver/attachments/{attachment.pk}/",
    }
    assert internal.status_code == 201
    assert internal.json()["is_internal"] is True
    customer_list = api(customer_a).get(f"/api/v1/tickets/{ticket.key}/attachments/").json()
    agent_list = api(agent).get(f"/api/v1/tickets/{ticket.key}/attachments/").json()
    assert [a["name"] for a in customer_list["results"]] == ["screenshot.png"]
    assert [a["name"] for a in agent_list["results"]] == ["screenshot.png", "debug.txt"]


def test_oversized_attachment_is_refused(api, agent, org_a, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1024 * 1024
    ticket = make_ticket(actor=agent, organization=org_a)
    updated_at = ticket.updated_at

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.key}/attachments/",
        {"file": SimpleUploadedFile("dump.bin", b"x" * (3 * 1024 * 1024))},
        format="multipart",
    )

    assert response.status_code == 400
    assert error(response) == {
        "code": "attachment_too_large",
        "message": "“dump.bin” is 3.0 MB; attachments are limited to 1 MB.",
        "fields": {"file": ["“dump.bin” is 3.0 MB; attachments are limited to 1 MB."]},
    }
    assert Attachment.objects.count() == 0
    ticket.refresh_from_db()
    assert ticket.updated_at == updated_at
    assert ticket.events.count() == 1


def test_customer_cannot_upload_an_internal_attachment(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)

    response = api(customer_a).post(
        f"/api/v1/tickets/{ticket.key}/attachments/",
        {"file": SimpleUploadedFile("a.txt", b"a"), "is_internal": "true"},
        format="multipart",
    )

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert Attachment.objects.count() == 0


def test_attachment_without_a_file_is_a_field_error(api, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)

    response = api(agent).post(f"/api/v1/tickets/{ticket.key}/attachments/", {}, format="multipart")
    as_json = api(agent).post(f"/api/v1/tickets/{ticket.key}/attachments/", {}, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {"file": ["No file was submitted."]}
    assert as_json.status_code == 415  # files travel as multipart/form-data only


# ---------------------------------------------------------------------------------------------
# Events


def test_customer_timeline_hides_internal_events(api, agent, org_a, customer_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    services.ticket_update(ticket=ticket, actor=agent, changes={"tags": ["vip"], "severity": 2})
    services.comment_add(ticket=ticket, author=agent, body="note", is_internal=True)
    services.comment_add(ticket=ticket, author=agent, body="reply")

    customer_events = api(customer_a).get(f"/api/v1/tickets/{ticket.key}/events/").json()
    agent_events = api(agent).get(f"/api/v1/tickets/{ticket.key}/events/").json()

    assert [(e["kind"], e["field"]) for e in customer_events["results"]] == [
        ("created", ""),
        ("severity", "severity"),
        ("reply", ""),
    ]
    assert [e["kind"] for e in agent_events["results"]] == [
        "created",
        "tags",
        "severity",
        "note",
        "reply",
    ]
    severity = customer_events["results"][1]
    assert (
        severity["before"],
        severity["after"],
        severity["kind_label"],
        severity["is_internal"],
    ) == (
        3,
        2,
        "Severity changed",
        False,
    )
    assert severity["actor"] == {"username": "agent", "display_name": "Alex Agent"}


# ---------------------------------------------------------------------------------------------
# Organizations and contacts


def test_agents_see_every_organization_and_customers_their_own(
    api, agent, org_a, org_b, customer_a
):
    agent_list = api(agent).get("/api/v1/organizations/").json()
    customer_list = api(customer_a).get("/api/v1/organizations/").json()

    assert [o["slug"] for o in agent_list["results"]] == ["acme", "globex"]
    assert [o["slug"] for o in customer_list["results"]] == ["acme"]
    assert api(customer_a).get("/api/v1/organizations/globex/").status_code == 404
    detail = api(customer_a).get("/api/v1/organizations/acme/").json()
    assert (detail["slug"], detail["name"], detail["tier"]) == ("acme", "Acme Corp", "enterprise")


def test_contacts_are_scoped_to_the_organization(api, agent, org_a, org_b, customer_a, customer_b):
    colleague = make_contact(org_a, username="cust_a2", first_name="Dana", last_name="Acme")
    client = api(agent)

    assert [c["username"] for c in client.get("/api/v1/contacts/").json()["results"]] == [
        "cust_a",
        "cust_a2",
        "cust_b",
    ]
    filtered = client.get("/api/v1/contacts/?organization=globex").json()["results"]
    assert [c["username"] for c in filtered] == ["cust_b"]
    mine = api(customer_a).get("/api/v1/contacts/").json()["results"]
    assert [c["username"] for c in mine] == ["cust_a", colleague.username]
    assert api(customer_a).get("/api/v1/contacts/cust_b/").status_code == 404
    assert api(customer_a).get("/api/v1/contacts/cust_a2/").json() == {
        "username": "cust_a2",
        "display_name": "Dana Acme",
        "email": "cust_a2@example.com",
        "is_active": True,
        "organization": {"slug": "acme", "name": "Acme Corp", "tier": "enterprise"},
        "job_title": "",
        "phone": "",
    }


def test_contacts_paginate_by_username(api, agent):
    org = OrganizationFactory()
    for i in range(5):
        make_contact(org, username=f"c{i}")

    assert [c["username"] for c in _walk_rows(api(agent), "/api/v1/contacts/?page_size=2")] == [
        "c0",
        "c1",
        "c2",
        "c3",
        "c4",
    ]


def _walk_rows(client, url: str) -> list[dict]:
    rows: list[dict] = []
    for _ in range(20):
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
        if url is None:
            return rows
    raise AssertionError("pagination never ended")


# ---------------------------------------------------------------------------------------------
# Authentication, throttling, schema


def test_unauthenticated_request_is_401_with_bearer_challenge(api, org_a):
    response = api().get("/api/v1/tickets/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert error(response)["code"] == "not_authenticated"


def test_session_authentication_works_for_the_browser(client, agent, org_a, password):
    ticket = make_ticket(actor=agent, organization=org_a)
    client.force_login(agent)

    response = client.get("/api/v1/tickets/")

    assert response.status_code == 200
    assert [r["key"] for r in response.json()["results"]] == [ticket.key]


def test_throttling_is_per_user_with_retry_after(api, agent, manager, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"},
    }
    cache.clear()
    client = api(agent)

    statuses = [client.get("/api/v1/organizations/").status_code for _ in range(4)]
    throttled = client.get("/api/v1/organizations/")

    assert statuses == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert error(throttled)["code"] == "throttled"
    assert 1 <= int(throttled["Retry-After"]) <= 61
    assert api(manager).get("/api/v1/organizations/").status_code == 200


def test_throttling_counts_in_one_integer_per_user_and_minute(api, agent, settings):
    """One INCR per request, not DRF's list of timestamps read and written back whole."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "4/min", "anon": "60/min"},
    }
    cache.clear()
    client = api(agent)
    start = datetime(2026, 11, 23, 12, 0, 10, tzinfo=UTC)

    with time_machine.travel(start, tick=False):
        assert [client.get("/api/v1/organizations/").status_code for _ in range(5)] == [
            *[200] * 4,
            429,
        ]
        window = int(start.timestamp() // 60)
        assert cache.get(f"throttle_user_{agent.pk}:{window}") == 5
    with time_machine.travel(start + timedelta(seconds=50), tick=False):  # the next minute
        assert client.get("/api/v1/organizations/").status_code == 200


def test_schema_endpoint_answers(api, client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/tickets/{key}/transition/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_loads_its_assets_from_static(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">'
        in html
    )
    assert 'href="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"' in html
    assert '<script src="/api/docs/?script=">' in html
    assert "https://" not in html

    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()
