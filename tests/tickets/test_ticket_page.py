from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import OrganizationFactory, TeamFactory, make_agent, make_ticket
from tickets import services
from tickets.choices import EventKind, Status
from tickets.models import Attachment, Comment, ReplyTemplate, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ticket(agent, customer_a, org_a):
    return make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        title="Customer unable to login",
        severity=1,
    )


def test_timeline_entries_say_who_what_and_carry_their_files(client, agent, ticket, customer_a):
    reply = services.comment_add(
        ticket=ticket,
        author=customer_a,
        body="Here is the log",
        files=[SimpleUploadedFile("trace.log", b"GET /v1 500")],
    )
    note = services.comment_add(ticket=ticket, author=agent, body="Escalating", is_internal=True)
    services.ticket_transition(ticket=ticket, to=Status.INVESTIGATING, actor=agent)
    client.force_login(agent)

    html = client.get(reverse("ticket_detail", args=[ticket.key])).content.decode()

    def entry(comment) -> str:
        start = html.index(f'<li id="c{comment.pk}">')
        return html[start : html.index("</article>", start)]

    customer_entry = entry(reply)
    assert '<span class="avatar" aria-hidden="true">CA</span>' in customer_entry
    assert "<strong>Casey Acme</strong>" in customer_entry
    assert '<span class="tag">customer</span>' in customer_entry
    trace = Attachment.objects.get(original_name="trace.log")
    link = reverse("attachment_download", args=[trace.pk])
    assert f'<a href="{link}">' in customer_entry  # the file inside its comment
    assert "trace.log <span" in customer_entry
    assert "attached trace.log" not in html
    note_entry = entry(note)
    assert '<span class="note-label">Internal note</span>' in note_entry
    assert '<span class="tag">customer</span>' not in note_entry
    assert "<strong>Alex Agent</strong> changed status from New to Investigating" in html


def test_ticket_page_shows_header_impact_and_timeline(client, agent, ticket, customer_a):
    services.comment_add(ticket=ticket, author=customer_a, body="Still **broken**")
    services.comment_add(ticket=ticket, author=agent, body="Looking at the logs", is_internal=True)
    client.force_login(agent)

    response = client.get(reverse("ticket_detail", args=[ticket.key]))

    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.key in html
    assert "Customer unable to login" in html
    assert "P1 · Critical" in html
    assert "<strong>broken</strong>" in html
    assert "Looking at the logs" in html
    assert "Internal note" in html
    assert "Acme Corp" in html
    assert "tier-enterprise" in html


def test_reply_is_public_and_sets_first_response(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_reply", args=[ticket.key]),
        {"body": "We are on it", "status": "investigating"},
        **HX,
    )
    assert response.status_code == 200
    ticket.refresh_from_db()
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.is_internal, comment.body) == (False, "We are on it")
    assert ticket.first_response_at == comment.created_at
    assert ticket.status == Status.INVESTIGATING
    html = response.content.decode()
    assert 'id="timeline" class="timeline" hx-swap-oob="true"' in html
    assert "We are on it" in html


def test_internal_note_does_not_count_as_first_response(client, agent, ticket):
    client.force_login(agent)
    client.post(
        reverse("ticket_reply", args=[ticket.key]), {"body": "note", "is_internal": "on"}, **HX
    )
    ticket.refresh_from_db()
    assert Comment.objects.get(ticket=ticket).is_internal is True
    assert ticket.first_response_at is None


def test_empty_reply_is_refused_and_writes_nothing(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("ticket_reply", args=[ticket.key]), {"body": "   "}, **HX)
    assert response.status_code == 200
    assert "alert-error" in response.content.decode()
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_oversized_attachment_refused_keeps_the_draft(client, agent, ticket, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    client.force_login(agent)
    upload = SimpleUploadedFile("big.log", b"x" * 11)
    response = client.post(
        reverse("ticket_reply", args=[ticket.key]), {"body": "see log", "files": [upload]}, **HX
    )
    html = response.content.decode()
    assert "attachments are limited" in html
    assert "see log" in html  # the draft comes back in the composer
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_illegal_transition_shows_the_reason(client, agent, ticket):
    services.ticket_transition(ticket=ticket, to=Status.CLOSED, actor=agent)
    client.force_login(agent)
    events_before = TicketEvent.objects.count()
    response = client.post(reverse("ticket_status", args=[ticket.key]), {"status": "new"}, **HX)
    assert "Cannot move a ticket from “Closed” to “New”" in response.content.decode()
    assert TicketEvent.objects.count() == events_before


def test_take_assigns_to_me(client, agent, ticket):
    client.force_login(agent)
    client.post(reverse("ticket_take", args=[ticket.key]))
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_sidebar_updates_fields_and_links(client, agent, ticket, org_a):
    incident = make_ticket(actor=agent, organization=org_a, title="Incident")
    client.force_login(agent)
    client.post(
        reverse("ticket_update", args=[ticket.key]),
        {"severity": "2", "category": "authentication", "tags": "sso, Login"},
        **HX,
    )
    client.post(reverse("ticket_update", args=[ticket.key]), {"parent": incident.key.lower()}, **HX)
    ticket.refresh_from_db()
    assert (ticket.severity, ticket.category, ticket.tags) == (
        2,
        "authentication",
        ["sso", "login"],
    )
    assert ticket.parent == incident


def test_linking_to_an_invisible_ticket_is_refused(client, agent, ticket):
    secret = make_ticket(actor=make_agent(), organization=ticket.organization, is_security=True)
    client.force_login(agent)
    response = client.post(
        reverse("ticket_update", args=[ticket.key]), {"duplicate_of": secret.key}, **HX
    )
    assert f"No ticket {secret.key} that you can see." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.duplicate_of is None


def test_unknown_severity_is_refused(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("ticket_update", args=[ticket.key]), {"severity": "9"}, **HX)
    assert "alert-error" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.severity == 1


def test_presence_shows_who_else_is_here(client, agent, ticket):
    colleague = make_agent(first_name="Robin", last_name="Reyes")
    client.force_login(colleague)
    client.post(reverse("ticket_presence", args=[ticket.key]), {"state": "replying"})
    client.force_login(agent)
    response = client.post(reverse("ticket_presence", args=[ticket.key]), {"state": "viewing"})
    html = response.content.decode()
    assert "Robin Reyes" in html
    assert "is replying" in html


def test_markdown_preview_is_sanitised(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_preview", args=[ticket.key]),
        {"body": "**bold** <img src=x onerror=alert(1)>"},
    )
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "onerror" not in html


def test_agent_creates_a_ticket_on_behalf_of_a_customer(client, agent, customer_a, org_a):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_new"),
        {
            "organization": org_a.slug,
            "requester": customer_a.username,
            "channel": "phone",
            "title": "Webhooks not delivered",
            "severity": "2",
            "issue_type": "bug",
            "category": "integration",
            "environment": "production",
            "tags": "webhooks",
        },
    )
    ticket = Ticket.objects.get(title="Webhooks not delivered")
    assert response.status_code == 302
    assert response.url == reverse("ticket_detail", args=[ticket.key])
    assert (ticket.requester, ticket.channel, ticket.severity) == (customer_a, "phone", 2)


def test_create_with_a_requester_from_another_org_is_refused(client, agent, customer_b, org_a):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_new"),
        {
            "organization": org_a.slug,
            "requester": customer_b.username,
            "channel": "phone",
            "title": "x",
            "severity": "3",
            "issue_type": "bug",
            "category": "other",
            "environment": "production",
        },
    )
    assert response.status_code == 200
    assert "The requester must be a contact of the organization." in response.content.decode()
    assert not Ticket.objects.exists()


def test_create_with_missing_title_and_unknown_choice(client, agent, org_a):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_new"),
        {
            "organization": org_a.slug,
            "channel": "fax",
            "severity": "3",
            "issue_type": "bug",
            "category": "other",
            "environment": "production",
        },
    )
    form = response.context["form"]
    assert "title" in form.errors
    assert "channel" in form.errors
    assert not Ticket.objects.exists()


def test_other_orgs_ticket_is_404_for_a_customer_on_agent_pages(client, customer_b, ticket):
    client.force_login(customer_b)
    assert client.get(reverse("ticket_detail", args=[ticket.key])).status_code == 404


def test_security_ticket_is_404_without_clearance(client, agent):
    secret = make_ticket(actor=agent, organization=OrganizationFactory(), is_security=True)
    other = make_agent()
    client.force_login(other)
    assert client.get(reverse("ticket_detail", args=[secret.key])).status_code == 404


def test_ticket_page_query_count_does_not_grow_with_comments(
    client, agent, ticket, customer_a, django_assert_max_num_queries
):
    client.force_login(agent)
    for i in range(3):
        services.comment_add(
            ticket=ticket,
            author=customer_a if i % 2 else agent,
            body=f"c{i}",
            files=[SimpleUploadedFile(f"f{i}.log", b"x")],
        )
    client.get(reverse("ticket_detail", args=[ticket.key]))  # pickers cached from here on
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("ticket_detail", args=[ticket.key]))
    for i in range(30):
        services.comment_add(
            ticket=ticket,
            author=customer_a if i % 2 else agent,
            body=f"d{i}",
            is_internal=bool(i % 3 == 0) and i % 2 == 0,
            files=[SimpleUploadedFile(f"g{i}.log", b"x")],
        )
    with django_assert_max_num_queries(25) as many:
        client.get(reverse("ticket_detail", args=[ticket.key]))
    assert len(many.captured_queries) == len(few.captured_queries)


def _panel(ticket, **edits) -> dict:
    """A Properties panel POST as the page sends it: every control, with the value it showed."""
    shown = {
        "assignee": ticket.assignee.username if ticket.assignee else "",
        "team": ticket.team.slug if ticket.team else "",
        "severity": str(ticket.severity),
        "category": ticket.category,
        "issue_type": ticket.issue_type,
        "environment": ticket.environment,
    }
    data = {**shown, **edits}
    data.update({f"seen_{name}": value for name, value in shown.items()})
    return data


@pytest.mark.parametrize(
    ("field", "value", "saved"),
    [
        ("severity", "2", "Saved: Severity P2 · High."),
        ("team", "security", "Saved: Team Security."),
        ("category", "authentication", "Saved: Category Authentication."),
        ("issue_type", "incident", "Saved: Issue type Incident."),
        ("environment", "staging", "Saved: Environment Staging."),
        ("assignee", "agent", "Saved: Assignee Alex Agent."),
    ],
)
def test_each_property_saves_alone_and_says_so(client, agent, ticket, field, value, saved):
    TeamFactory(name="Security", slug="security")
    client.force_login(agent)
    before = Ticket.objects.get(pk=ticket.pk)

    response = client.post(
        reverse("ticket_update", args=[ticket.key]), _panel(ticket, **{field: value}), **HX
    )

    assert saved in response.content.decode()
    after = Ticket.objects.get(pk=ticket.pk)
    stored = getattr(after, field)
    shown = {"assignee": "username", "team": "slug"}.get(field)
    assert str(getattr(stored, shown) if shown else stored) == value
    untouched = {"assignee", "team", "severity", "category", "issue_type", "environment"} - {field}
    assert all(getattr(after, f) == getattr(before, f) for f in untouched)
    assert list(after.events.filter(field__in=untouched).values_list("field", flat=True)) == []


def test_stale_panel_keeps_what_the_manager_set_and_saves_the_agents_field(
    client, agent, manager, ticket
):
    security = TeamFactory(name="Security", slug="security")
    page = Ticket.objects.get(pk=ticket.pk)  # the agent's page, loaded before the manager's edit
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 3, "team": security})
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 1})
    client.force_login(agent)

    response = client.post(
        reverse("ticket_update", args=[ticket.key]), _panel(page, assignee="agent"), **HX
    )

    ticket.refresh_from_db()
    assert (ticket.severity, ticket.team, ticket.assignee) == (1, security, agent)
    assert "Saved: Assignee Alex Agent." in response.content.decode()


def test_changing_a_field_someone_changed_meanwhile_is_refused_with_who_and_a_reload(
    client, agent, manager, ticket
):
    page = Ticket.objects.get(pk=ticket.pk)  # shows P1
    services.ticket_update(ticket=ticket, actor=manager, changes={"severity": 3})
    client.force_login(agent)
    events_before = TicketEvent.objects.count()

    response = client.post(
        reverse("ticket_update", args=[ticket.key]), _panel(page, severity="2"), **HX
    )

    html = response.content.decode()
    assert "Morgan Manager changed Severity to P3 · Medium at " in html
    assert "(you saw P1 · Critical). Your change to P2 · High was not saved" in html
    assert 'id="props-reload"' in html
    assert Ticket.objects.get(pk=ticket.pk).severity == 3
    assert TicketEvent.objects.count() == events_before


def test_stale_change_without_htmx_redirects_with_the_message(client, agent, manager, ticket):
    page = Ticket.objects.get(pk=ticket.pk)
    services.ticket_update(ticket=ticket, actor=manager, changes={"category": "performance"})
    client.force_login(agent)

    response = client.post(
        reverse("ticket_update", args=[ticket.key]),
        _panel(page, category="validation"),
        follow=True,
    )

    assert "Morgan Manager changed Category to Performance" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).category == "performance"


def test_tags_saved_with_what_the_page_showed(client, agent, manager, ticket):
    services.ticket_update(ticket=ticket, actor=agent, changes={"tags": ["sso", "Login"]})
    client.force_login(agent)
    client.post(
        reverse("ticket_update", args=[ticket.key]),
        {"tags": "sso, login, okta", "seen_tags": "sso, login"},
        **HX,
    )
    assert Ticket.objects.get(pk=ticket.pk).tags == ["sso", "login", "okta"]
    services.ticket_update(ticket=ticket, actor=manager, changes={"tags": ["mfa"]})

    response = client.post(
        reverse("ticket_update", args=[ticket.key]),
        {"tags": "sso", "seen_tags": "sso, login, okta"},
        **HX,
    )

    assert "Morgan Manager changed Tags to mfa" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).tags == ["mfa"]


def test_status_move_refreshes_the_composer_status_list(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_status", args=[ticket.key]), {"status": "investigating"}, **HX
    )
    html = response.content.decode()
    start = html.index('<select name="status" id="composer-status"')
    composer_status = html[start : html.index("</select>", start)]
    assert 'hx-swap-oob="true"' in composer_status
    assert 'value="in_progress"' in composer_status
    assert 'value="investigating"' not in composer_status


@pytest.fixture
def findings_template():
    return ReplyTemplate.objects.create(
        name="Findings",
        slug="findings",
        body="We found:\n- [Key finding 1]\n- [Key finding 2]\n\nDocs: [link]",
    )


def test_reply_with_unfilled_template_blanks_is_refused_naming_them(
    client, agent, ticket, findings_template
):
    client.force_login(agent)
    body = "Findings:\n- [Key finding 1]\n\nSee [link] and [the docs](https://example.com)."

    response = client.post(reverse("ticket_reply", args=[ticket.key]), {"body": body}, **HX)

    html = response.content.decode()
    assert "Fill in the template&#x27;s blanks before sending: [Key finding 1], [link]." in html
    assert "See [link] and [the docs](https://example.com)." in html  # the draft is kept
    assert not Comment.objects.filter(ticket=ticket).exists()


def test_brackets_that_are_no_template_blank_are_sent(client, agent, ticket, findings_template):
    client.force_login(agent)
    body = "The log says [ERROR] token expired; `[link]` in code is quoted, not a blank."
    client.post(reverse("ticket_reply", args=[ticket.key]), {"body": body}, **HX)
    assert Comment.objects.get(ticket=ticket).body == body


def test_composer_knows_the_template_blanks(client, agent, ticket, findings_template):
    client.force_login(agent)
    html = client.get(reverse("ticket_detail", args=[ticket.key])).content.decode()
    start = html.index('data-template-blanks="')
    blanks = html[start : html.index('"', start + 22)].split('"')[1].split("|")
    assert "[Key finding 1]" in blanks
    assert "[link]" in blanks


def test_saving_a_property_refreshes_impact_and_timeline_count(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("ticket_update", args=[ticket.key]), _panel(ticket, environment="staging"), **HX
    )
    html = response.content.decode()
    start = html.index('<section class="card" id="ticket-impact" hx-swap-oob="true">')
    impact = html[start : html.index("</section>", start)]
    assert "<dt>Environment</dt><dd>Staging</dd>" in impact
    count = '<span id="timeline-count" class="faint small" hx-swap-oob="true">2 entries</span>'
    assert count in html


def test_take_on_a_page_that_showed_no_assignee_is_refused_once_someone_took_it(
    client, agent, manager, ticket
):
    services.ticket_update(ticket=ticket, actor=manager, changes={"assignee": manager})
    client.force_login(agent)

    response = client.post(reverse("ticket_take", args=[ticket.key]), {"seen_assignee": ""}, **HX)

    assert "Morgan Manager changed Assignee to Morgan Manager at " in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee == manager
    client.post(reverse("ticket_take", args=[ticket.key]), {"seen_assignee": "manager"}, **HX)
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
