"""The Django admin: configuration pages load, the timeline cannot be edited, ticket edits go
through the services, tokens are revocable but never readable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk import clock
from helpdesk.models import ApiToken, EngineState, Role, User
from tests.factories import make_agent, make_ticket
from tickets import services
from tickets.choices import EventKind
from tickets.models import Comment, SavedView, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return make_agent(
        username="root",
        role=Role.ADMIN,
        is_staff=True,
        is_superuser=True,
        first_name="Jordan",
        last_name="Avery",
    )


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def ticket(agent, org_a, customer_a):
    ticket = make_ticket(
        actor=agent, organization=org_a, requester=customer_a, title="Login fails", severity=3
    )
    services.comment_add(ticket=ticket, author=agent, body="On it")
    return ticket


MODELS = [
    "tickets_organization",
    "tickets_contact",
    "tickets_team",
    "tickets_agentprofile",
    "tickets_ticket",
    "tickets_comment",
    "tickets_ticketevent",
    "tickets_replytemplate",
    "tickets_savedview",
    "helpdesk_user",
    "helpdesk_apitoken",
    "helpdesk_enginestate",
]


@pytest.mark.parametrize("model", MODELS)
def test_changelists_load(admin_client, ticket, root, model):
    ApiToken.issue(user=root, name="ci")
    EngineState.objects.create(name="sla", last_tick_at=clock.now())
    SavedView.objects.create(owner=root, name="Mine", query="severity=1")
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_ticket_change_page_loads(admin_client, ticket):
    response = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    assert ticket.key.encode() in response.content


def test_tickets_and_comments_cannot_be_added_here(admin_client, ticket):
    assert admin_client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    assert admin_client.get(reverse("admin:tickets_comment_add")).status_code == 403


def test_the_timeline_cannot_be_edited_or_deleted(admin_client, ticket):
    event = TicketEvent.objects.filter(ticket=ticket).first()
    url = reverse("admin:tickets_ticketevent_change", args=[event.pk])
    response = admin_client.post(url, {"kind": "note", "after": '"x"'})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:tickets_ticketevent_add")).status_code == 403
    delete = reverse("admin:tickets_ticketevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert TicketEvent.objects.get(pk=event.pk).kind == event.kind


def test_comments_are_read_only(admin_client, ticket):
    comment = Comment.objects.get(ticket=ticket)
    url = reverse("admin:tickets_comment_change", args=[comment.pk])
    admin_client.post(url, {"body": "rewritten", "is_internal": "on"})
    assert Comment.objects.values_list("body", "is_internal").get(pk=comment.pk) == ("On it", False)


def ticket_form(ticket: Ticket, **changes) -> dict:
    data = {
        "title": ticket.title,
        "description": ticket.description,
        "issue_type": ticket.issue_type,
        "severity": ticket.severity,
        "category": ticket.category,
        "environment": ticket.environment,
        "channel": ticket.channel,
        "assignee": ticket.assignee_id or "",
        "team": ticket.team_id or "",
        "tags": ",".join(ticket.tags),
        "affected_users": ticket.affected_users or "",
        "business_impact": ticket.business_impact,
        "workaround": ticket.workaround,
        "product_version": "",
        "browser": "",
        "platform": "",
        "account_type": "",
        "error_message": "",
        "request_id": "",
        "affected_endpoint": "",
        "recent_changes": "",
        "parent": "",
        "duplicate_of": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_editing_a_ticket_goes_through_the_services(admin_client, ticket, root, agent):
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = admin_client.post(
        url, ticket_form(ticket, severity=1, tags="SSO, Login", assignee=agent.pk)
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.tags, ticket.assignee) == (1, ["sso", "login"], agent)
    changes = list(
        TicketEvent.objects.filter(ticket=ticket, actor=root)
        .order_by("id")
        .values_list("kind", "before", "after")
    )
    assert changes == [
        (EventKind.SEVERITY, 3, 1),
        (EventKind.ASSIGNED, None, {"id": agent.pk, "label": "Alex Agent"}),
        (EventKind.TAGS, [], ["sso", "login"]),
    ]


def test_a_change_the_services_refuse_is_a_form_error(admin_client, ticket, customer_a):
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    events_before = TicketEvent.objects.count()
    response = admin_client.post(url, ticket_form(ticket, assignee=customer_a.pk, title="Renamed"))
    assert response.status_code == 200
    assert b"Only an active agent can be assigned." in response.content
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.title) == (None, "Login fails")
    assert TicketEvent.objects.count() == events_before


def test_api_tokens_are_listed_and_revoked_never_shown_or_added(admin_client, root):
    token, raw = ApiToken.issue(user=root, name="ci")
    assert admin_client.get(reverse("admin:helpdesk_apitoken_add")).status_code == 403
    page = admin_client.get(reverse("admin:helpdesk_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert raw.encode() not in page.content
    response = admin_client.post(
        reverse("admin:helpdesk_apitoken_changelist"),
        {
            "action": "revoke",
            "_selected_action": [token.pk],
        },
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.lookup(raw) is None


def test_engine_state_is_read_only(admin_client):
    state = EngineState.objects.create(name="sla", last_tick_at=clock.now())
    url = reverse("admin:helpdesk_enginestate_change", args=[state.pk])
    admin_client.post(
        url,
        {
            "name": "sla",
            "last_tick_at_0": "2020-01-01",
            "last_tick_at_1": "00:00",
            "last_duration_ms": "1",
        },
    )
    assert EngineState.objects.get(pk="sla").last_duration_ms == 0


def test_user_admin_sets_the_role(admin_client):
    response = admin_client.post(
        reverse("admin:helpdesk_user_add"),
        {
            "username": "nina",
            "email": "nina@example.com",
            "first_name": "Nina",
            "last_name": "Petrova",
            "role": Role.ENGINEER,
            "password1": "a-long-Passphrase-42",
            "password2": "a-long-Passphrase-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(username="nina")
    assert (user.role, user.is_agent_side, user.check_password("a-long-Passphrase-42")) == (
        Role.ENGINEER,
        True,
        True,
    )
    page = admin_client.get(reverse("admin:helpdesk_user_change", args=[user.pk]))
    assert b'name="role"' in page.content
