"""The access policy, for every page, partial, API endpoint and attachment, and every role.

Out-of-scope objects answer 404 (never 403: a customer must not learn that a key exists), and an
internal note, or anything attached to one, never reaches a customer.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpdesk import clock
from helpdesk.models import ApiToken, Role
from tests.escalation.oncall_factories import make_schedule
from tests.escalation.paging_factories import make_policy
from tests.factories import OrganizationFactory, make_agent, make_contact, make_ticket
from tickets import services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db

SECRET = "INTERNAL-ONLY-7f3a"
ROLES = ["anonymous", "customer_a", "customer_b", "agent", "manager", "oncall", "engineer"]


@pytest.fixture
def world():
    org_a = OrganizationFactory(slug="acme", tier="enterprise")
    org_b = OrganizationFactory(slug="globex")
    users = {
        "customer_a": make_contact(org_a, username="cust_a"),
        "customer_b": make_contact(org_b, username="cust_b"),
        "agent": make_agent(username="agent"),
        "manager": make_agent(username="manager", role=Role.MANAGER),
        # On call now on the rota a security-only policy pages; and on call for P1s only.
        "oncall": make_agent(username="oncall", role=Role.ENGINEER),
        "engineer": make_agent(username="engineer", role=Role.ENGINEER),
    }
    for name, user, match in (
        ("Security", users["oncall"], {"security_only": True}),
        ("Primary", users["engineer"], {"severity": 1}),
    ):
        rota = make_schedule(members=[user], now=clock.now(), name=name)
        make_policy({"schedule": rota}, name=f"{name} on-call", **match)
    agent = users["agent"]
    ticket_a = make_ticket(
        actor=agent,
        organization=org_a,
        requester=users["customer_a"],
        title="Login fails",
        description="SSO broken",
    )
    services.comment_add(ticket=ticket_a, author=agent, body="We are looking into it")
    services.comment_add(
        ticket=ticket_a,
        author=agent,
        body=f"{SECRET} root cause notes",
        is_internal=True,
        files=[SimpleUploadedFile("internal.log", b"secret")],
    )
    public = services.attachment_add(
        ticket=ticket_a,
        uploaded_by=users["customer_a"],
        file=SimpleUploadedFile("screenshot.png", b"png"),
    )
    internal = Attachment.objects.get(original_name="internal.log")
    ticket_b = make_ticket(actor=agent, organization=org_b, title="Webhooks")
    # Flagged by an agent outside the security team, who keeps it as its assignee: none of ROLES.
    reporter = make_agent(username="reporter")
    security = make_ticket(
        actor=reporter, organization=org_a, title="Data exposure", is_security=True
    )
    security_att = services.attachment_add(
        ticket=security, uploaded_by=reporter, file=SimpleUploadedFile("exposure.log", b"ids")
    )
    return {
        "users": users,
        "sec_att": security_att.pk,
        "a": ticket_a.key,
        "b": ticket_b.key,
        "sec": security.key,
        "public_att": public.pk,
        "internal_att": internal.pk,
    }


def client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def api_client_for(world, role: str) -> Client:
    if role == "anonymous":
        return Client()
    _, raw = ApiToken.issue(user=world["users"][role])
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


LOGIN = 302  # anonymous users are sent to the login page
# (method, url template, {role: expected status})
PAGES = [
    (
        "get",
        "/queue/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/tickets/new/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/tickets/{a}/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/tickets/{sec}/",
        {
            "anonymous": LOGIN,
            "customer_a": 404,
            "customer_b": 404,
            "agent": 404,
            "manager": 404,
            "oncall": 200,
            "engineer": 404,
        },
    ),
    (
        "get",
        "/tickets/{a}/template/?template=x",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "post",
        "/tickets/{a}/presence/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "post",
        "/tickets/{a}/preview/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "post",
        "/tickets/{b}/take/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 302, "manager": 302},
    ),
    (
        "post",
        "/tickets/{sec}/take/",
        {
            "anonymous": LOGIN,
            "customer_a": 404,
            "customer_b": 404,
            "agent": 404,
            "manager": 404,
            "engineer": 404,
            "oncall": 302,
        },
    ),
    (
        "get",
        "/sla/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 404, "manager": 200},
    ),
    (
        "get",
        "/notifications/",
        {"anonymous": LOGIN, "customer_a": 200, "customer_b": 200, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/portal/",
        {"anonymous": LOGIN, "customer_a": 200, "customer_b": 200, "agent": 404, "manager": 404},
    ),
    (
        "get",
        "/portal/new/",
        {"anonymous": LOGIN, "customer_a": 200, "customer_b": 200, "agent": 404, "manager": 404},
    ),
    (
        "get",
        "/portal/tickets/{a}/",
        {"anonymous": LOGIN, "customer_a": 200, "customer_b": 404, "agent": 404, "manager": 404},
    ),
    (
        "get",
        "/portal/tickets/{b}/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 200, "agent": 404, "manager": 404},
    ),
    (
        "get",
        "/portal/tickets/{sec}/",
        {
            "anonymous": LOGIN,
            "customer_a": 404,
            "customer_b": 404,
            "agent": 404,
            "manager": 404,
            "oncall": 404,
            "engineer": 404,
        },
    ),
    (
        "post",
        "/portal/tickets/{b}/confirm/",
        {"anonymous": LOGIN, "customer_a": 404, "agent": 404, "manager": 404},
    ),
    (
        "get",
        "/attachments/{public_att}/",
        {"anonymous": LOGIN, "customer_a": 200, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/attachments/{internal_att}/",
        {"anonymous": LOGIN, "customer_a": 404, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/attachments/{sec_att}/",
        {
            "anonymous": LOGIN,
            "customer_a": 404,
            "customer_b": 404,
            "agent": 404,
            "manager": 404,
            "oncall": 200,
            "engineer": 404,
        },
    ),
]
API = [
    (
        "get",
        "/api/v1/tickets/",
        {"anonymous": 401, "customer_a": 200, "customer_b": 200, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/tickets/{a}/",
        {"anonymous": 401, "customer_a": 200, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/tickets/{sec}/",
        {
            "anonymous": 401,
            "customer_a": 404,
            "customer_b": 404,
            "agent": 404,
            "manager": 404,
            "oncall": 200,
            "engineer": 404,
        },
    ),
    (
        "get",
        "/api/v1/tickets/{a}/comments/",
        {"anonymous": 401, "customer_a": 200, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/tickets/{a}/attachments/",
        {"anonymous": 401, "customer_a": 200, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/tickets/{a}/events/",
        {"anonymous": 401, "customer_a": 200, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "patch",
        "/api/v1/tickets/{a}/",
        {"anonymous": 401, "customer_a": 403, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/organizations/acme/",
        {"anonymous": 401, "customer_a": 200, "customer_b": 404, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/organizations/globex/",
        {"anonymous": 401, "customer_a": 404, "customer_b": 200, "agent": 200, "manager": 200},
    ),
    (
        "get",
        "/api/v1/contacts/cust_b/",
        {"anonymous": 401, "customer_a": 404, "customer_b": 200, "agent": 200, "manager": 200},
    ),
]


def _call(client: Client, method: str, url: str):
    if method == "patch":
        return client.patch(
            url, data='{"title": "Login fails for SSO users"}', content_type="application/json"
        )
    return getattr(client, method)(url)


@pytest.mark.parametrize(
    ("method", "url", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _ in PAGES]
)
def test_pages(world, method, url, expected):
    for role, status in expected.items():
        response = _call(client_for(world, role), method, url.format(**world))
        assert response.status_code == status, (role, url)
        if role.startswith("customer"):
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert SECRET.encode() not in body


@pytest.mark.parametrize(("method", "url", "expected"), API, ids=[f"{m} {u}" for m, u, _ in API])
def test_api(world, method, url, expected):
    for role, status in expected.items():
        response = _call(api_client_for(world, role), method, url.format(**world))
        assert response.status_code == status, (role, url, response.content[:200])
        if role.startswith("customer"):
            assert SECRET not in response.content.decode()
            assert "internal.log" not in response.content.decode()


def test_api_list_and_search_stay_in_scope(world):
    body = api_client_for(world, "customer_a").get("/api/v1/tickets/").json()
    assert [t["key"] for t in body["results"]] == [world["a"]]
    body = api_client_for(world, "customer_a").get("/api/v1/tickets/", {"q": "webhooks"}).json()
    assert body["results"] == []
    for role, sees in (("agent", False), ("engineer", False), ("oncall", True)):
        body = api_client_for(world, role).get("/api/v1/tickets/").json()
        assert (world["sec"] in [t["key"] for t in body["results"]]) is sees, role


def test_customer_sees_public_conversation_but_not_notes_on_every_surface(world):
    client = client_for(world, "customer_a")
    page = client.get(f"/portal/tickets/{world['a']}/").content.decode()
    assert "We are looking into it" in page
    assert "screenshot.png" in page
    assert SECRET not in page
    assert "internal.log" not in page
    listing = client.get("/portal/", {"q": "root cause"}).content.decode()
    assert SECRET not in listing


def test_queue_search_never_leaks_security_tickets(world):
    for role, sees in (("agent", False), ("engineer", False), ("oncall", True)):
        page = client_for(world, role).get("/queue/", {"q": "exposure"}).content.decode()
        assert ("Data exposure" in page) is sees, role
