"""Writes through tickets.services: fields, tags, links, assignment, comments, attachments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.errors import DomainError, Forbidden
from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import services
from tickets.choices import EventKind, Status
from tickets.models import Attachment, Comment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=20)


@pytest.fixture
def ticket(agent, org_a, customer_a):
    return make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        title="Login fails",
        severity=3,
        category="authentication",
        now=T0,
    )


def events(ticket) -> list[tuple]:
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind=EventKind.CREATED)
        .order_by("id")
        .values_list("kind", "field", "before", "after", "is_internal")
    )


def snapshot(ticket) -> dict:
    return Ticket.objects.values(
        "title",
        "severity",
        "category",
        "tags",
        "assignee",
        "parent",
        "duplicate_of",
        "updated_at",
        "status",
    ).get(pk=ticket.pk)


# ------------------------------------------------------------------------------ ticket_update


def test_update_writes_one_event_per_changed_field(ticket, agent):
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        now=LATER,
        changes={"title": "Login fails for SSO users", "severity": 1, "environment": "production"},
    )
    assert events(ticket) == [
        (EventKind.FIELD, "title", "Login fails", "Login fails for SSO users", False),
        (EventKind.SEVERITY, "severity", 3, 1, False),
        (EventKind.FIELD, "environment", "unknown", "production", True),
    ]
    ticket.refresh_from_db()
    assert (ticket.title, ticket.severity, ticket.environment, ticket.updated_at) == (
        "Login fails for SSO users",
        1,
        "production",
        LATER,
    )
    assert set(
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind="created")
        .values_list("actor", "created_at")
    ) == {(agent.pk, LATER)}


def test_update_with_unchanged_values_writes_nothing(ticket, agent):
    before = snapshot(ticket)
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        now=LATER,
        changes={"title": "  Login fails ", "severity": 3, "category": "authentication"},
    )
    assert events(ticket) == []
    assert snapshot(ticket) == before


def test_update_records_only_the_fields_that_changed(ticket, agent):
    services.ticket_update(
        ticket=ticket, actor=agent, now=LATER, changes={"severity": 3, "category": "validation"}
    )
    assert events(ticket) == [
        (EventKind.FIELD, "category", "authentication", "validation", True),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"severity": 9}, "severity"),
        ({"category": "nope"}, "category"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Fine", "issue_type": "rant"}, "issue_type"),
    ],
)
def test_invalid_values_are_refused_and_change_nothing(ticket, agent, changes, field):
    before = snapshot(ticket)
    with pytest.raises(ValidationError) as refused:
        services.ticket_update(ticket=ticket, actor=agent, now=LATER, changes=changes)
    assert list(refused.value.message_dict) == [field]
    assert snapshot(ticket) == before
    assert events(ticket) == []


def test_read_only_fields_are_refused(ticket, agent):
    with pytest.raises(DomainError) as refused:
        services.ticket_update(ticket=ticket, actor=agent, changes={"status": "closed"})
    assert refused.value.message == "Unknown or read-only field(s): status."
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_tags_are_normalised(ticket, agent):
    services.ticket_update(
        ticket=ticket,
        actor=agent,
        now=LATER,
        changes={"tags": [" SSO ", "Login", "sso", "rate limit", "", "ki:31"]},
    )
    assert Ticket.objects.get(pk=ticket.pk).tags == ["sso", "login", "rate-limit", "ki:31"]
    assert events(ticket) == [
        (EventKind.TAGS, "tags", [], ["sso", "login", "rate-limit", "ki:31"], True)
    ]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            ["ok", "bad/tag"],
            "“bad/tag” is not a valid tag: use letters, digits, - _ . : (at most 50).",
        ),
        (["-leading"], "“-leading” is not a valid tag: use letters, digits, - _ . : (at most 50)."),
        (
            ["a" * 51],
            f"“{'a' * 51}” is not a valid tag: use letters, digits, - _ . : (at most 50).",
        ),
        ([f"t{n}" for n in range(21)], "A ticket has at most 20 tags."),
    ],
)
def test_invalid_tags_are_refused(ticket, agent, tags, message):
    with pytest.raises(DomainError) as refused:
        services.ticket_update(ticket=ticket, actor=agent, changes={"tags": tags})
    assert (refused.value.field, refused.value.message) == ("tags", message)
    assert Ticket.objects.get(pk=ticket.pk).tags == []
    assert events(ticket) == []


@pytest.mark.parametrize("field", ["parent", "duplicate_of"])
def test_a_ticket_cannot_be_linked_to_itself(ticket, agent, field):
    with pytest.raises(DomainError) as refused:
        services.ticket_update(ticket=ticket, actor=agent, changes={field: ticket})
    assert (refused.value.field, refused.value.message) == (
        field,
        "A ticket cannot be linked to itself.",
    )
    assert snapshot(ticket)[field] is None
    assert events(ticket) == []


def test_links_are_recorded_with_the_ticket_key(ticket, agent, org_a):
    incident = make_ticket(actor=agent, organization=org_a, title="API outage")
    services.ticket_update(ticket=ticket, actor=agent, now=LATER, changes={"parent": incident})
    assert events(ticket) == [
        (EventKind.LINK, "parent", None, {"id": incident.pk, "label": incident.key}, True)
    ]


def test_a_link_cycle_is_refused(ticket, agent, org_a):
    other = make_ticket(actor=agent, organization=org_a, title="Same issue")
    services.ticket_update(ticket=other, actor=agent, changes={"duplicate_of": ticket})
    with pytest.raises(DomainError) as refused:
        services.ticket_update(
            ticket=ticket, actor=agent, changes={"duplicate_of": Ticket.objects.get(pk=other.pk)}
        )
    assert refused.value.message == f"{other.key} is already a duplicate of this ticket."
    assert snapshot(ticket)["duplicate_of"] is None


def test_assigning_an_active_agent_is_recorded(ticket, agent):
    engineer = make_agent(username="sam", first_name="Sam", last_name="Okafor", role="engineer")
    services.ticket_assign(ticket=ticket, assignee=engineer, actor=agent, now=LATER)
    assert Ticket.objects.get(pk=ticket.pk).assignee == engineer
    assert events(ticket) == [
        (EventKind.ASSIGNED, "assignee", None, {"id": engineer.pk, "label": "Sam Okafor"}, True)
    ]


def test_unassigning_is_recorded(ticket, agent):
    services.ticket_assign(ticket=ticket, assignee=agent, actor=agent, now=T0)
    services.ticket_assign(ticket=ticket, assignee=None, actor=agent, now=LATER)
    assert events(ticket)[-1] == (
        EventKind.ASSIGNED,
        "assignee",
        {"id": agent.pk, "label": "Alex Agent"},
        None,
        True,
    )


def test_a_customer_cannot_be_assigned(ticket, agent, customer_a):
    with pytest.raises(DomainError) as refused:
        services.ticket_assign(ticket=ticket, assignee=customer_a, actor=agent)
    assert (refused.value.field, refused.value.message) == (
        "assignee",
        "Only an active agent can be assigned.",
    )
    assert snapshot(ticket)["assignee"] is None
    assert events(ticket) == []


def test_a_deactivated_agent_cannot_be_assigned(ticket, agent):
    gone = make_agent(username="gone", is_active=False)
    with pytest.raises(DomainError):
        services.ticket_assign(ticket=ticket, assignee=gone, actor=agent)
    assert snapshot(ticket)["assignee"] is None
    assert events(ticket) == []


# ------------------------------------------------------------------------------ ticket_create


def test_requester_must_belong_to_the_organization(agent, org_a, customer_b):
    with pytest.raises(DomainError) as refused:
        make_ticket(actor=agent, organization=org_a, requester=customer_b)
    assert refused.value.field == "requester"
    assert Ticket.objects.count() == 0


def test_a_security_ticket_goes_to_the_security_team(agent, org_a):
    security = TeamFactory(name="Security", slug="security", is_security=True)
    ticket = make_ticket(actor=agent, organization=org_a, is_security=True)
    assert ticket.team == security


def test_create_records_the_created_event_at_the_given_time(agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, title="  Webhooks failing ", now=T0)
    assert ticket.title == "Webhooks failing"
    assert (ticket.created_at, ticket.updated_at, ticket.status) == (T0, T0, Status.NEW)
    assert list(
        TicketEvent.objects.filter(ticket=ticket).values_list(
            "kind", "after", "actor", "created_at", "is_internal"
        )
    ) == [(EventKind.CREATED, ticket.key, agent.pk, T0, False)]


# ------------------------------------------------------------------------------ comment_add


def test_first_public_agent_reply_is_the_first_response(ticket, agent):
    services.comment_add(ticket=ticket, author=agent, body="Looking into it.", now=LATER)
    services.comment_add(
        ticket=ticket, author=agent, body="Still on it.", now=LATER + timedelta(minutes=5)
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at == LATER
    assert ticket.updated_at == LATER + timedelta(minutes=5)
    assert events(ticket) == [
        (EventKind.REPLY, "", None, None, False),
        (EventKind.REPLY, "", None, None, False),
    ]


def test_an_internal_note_is_not_a_first_response(ticket, agent):
    services.comment_add(
        ticket=ticket, author=agent, body="Checking logs", is_internal=True, now=LATER
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.updated_at == LATER
    assert events(ticket) == [(EventKind.NOTE, "", None, None, True)]


def test_a_customer_reply_is_not_a_first_response(ticket, customer_a):
    services.comment_add(ticket=ticket, author=customer_a, body="Any news?", now=LATER)
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is None


def test_markdown_is_rendered_and_sanitised(ticket, agent):
    body = (
        "**Fixed** in `v2`\n\n<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(2)"> [docs](javascript:alert(3)) '
        '<a href="https://docs.example.com" onclick="alert(4)">guide</a>'
    )
    comment = services.comment_add(ticket=ticket, author=agent, body=body, now=LATER)
    comment.refresh_from_db()
    assert comment.body == body
    html = comment.body_html
    assert "<strong>Fixed</strong>" in html
    assert "<code>v2</code>" in html
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert forbidden not in html
    assert '<a href="https://docs.example.com" rel="noopener noreferrer nofollow">guide</a>' in html


def test_a_customer_cannot_add_an_internal_note(ticket, customer_a):
    with pytest.raises(Forbidden) as refused:
        services.comment_add(ticket=ticket, author=customer_a, body="psst", is_internal=True)
    assert refused.value.code == "permission_denied"
    assert Comment.objects.count() == 0
    assert events(ticket) == []


def test_an_empty_message_is_refused(ticket, agent):
    with pytest.raises(DomainError) as refused:
        services.comment_add(ticket=ticket, author=agent, body="   \n ")
    assert (refused.value.code, refused.value.field) == ("required", "body")
    assert Comment.objects.count() == 0


def test_a_customer_reply_hands_a_waiting_ticket_back(ticket, agent, customer_a):
    services.ticket_transition(
        ticket=ticket, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Request id?", now=T0
    )
    services.comment_add(ticket=ticket, author=customer_a, body="Request id req_1", now=LATER)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    status_events = list(
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS)
        .order_by("id")
        .values_list("before", "after", "actor", "created_at", "is_internal")
    )
    assert status_events == [
        ("new", "waiting_on_customer", agent.pk, T0, False),
        ("waiting_on_customer", "in_progress", customer_a.pk, LATER, False),
    ]


def test_an_agent_reply_leaves_a_waiting_ticket_waiting(ticket, agent):
    services.ticket_transition(
        ticket=ticket, to=Status.WAITING_ON_CUSTOMER, actor=agent, message="Request id?", now=T0
    )
    services.comment_add(ticket=ticket, author=agent, body="Reminder: we need the request id.")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING_ON_CUSTOMER


def test_a_closed_ticket_refuses_public_replies(ticket, agent, customer_a):
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent, now=T0)
    for author in (agent, customer_a):
        with pytest.raises(DomainError) as refused:
            services.comment_add(ticket=ticket, author=author, body="One more thing")
        assert refused.value.code == "ticket_closed"
    assert Comment.objects.count() == 0
    assert Ticket.objects.get(pk=ticket.pk).updated_at == T0


def test_a_closed_ticket_still_takes_internal_notes(ticket, agent):
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent, now=T0)
    services.comment_add(ticket=ticket, author=agent, body="Linked to KI-31", is_internal=True)
    assert list(Comment.objects.values_list("body", "is_internal")) == [("Linked to KI-31", True)]


def test_an_oversized_attachment_is_refused_and_nothing_is_written(ticket, agent, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    upload = SimpleUploadedFile("network-log.har", b"x" * 11, content_type="application/json")
    with pytest.raises(DomainError) as refused:
        services.comment_add(ticket=ticket, author=agent, body="See the log", files=[upload])
    assert (refused.value.code, refused.value.field) == ("attachment_too_large", "files")
    assert Comment.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    assert Ticket.objects.get(pk=ticket.pk).first_response_at is None


def test_an_attachment_at_the_limit_is_kept_with_its_comment(ticket, agent, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("error.txt", b"x" * 10)
    comment = services.comment_add(
        ticket=ticket, author=agent, body="Log", files=[upload], is_internal=True, now=LATER
    )
    attachment = Attachment.objects.get()
    assert (
        attachment.comment,
        attachment.original_name,
        attachment.size,
        attachment.is_internal,
        attachment.content_type,
    ) == (comment, "error.txt", 10, True, "text/plain")
    assert attachment.file.read() == b"x" * 10
    assert events(ticket) == [
        (EventKind.NOTE, "", None, None, True),
        (EventKind.ATTACHMENT, "", None, "error.txt", True),
    ]
