from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, make_contact, make_ticket
from tickets import services
from tickets.choices import Channel, Status
from tickets.models import Attachment, Comment, Ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _open(org, requester, actor=None, **fields):
    fields.setdefault("title", "Something is broken")
    return make_ticket(actor=actor or requester, organization=org, requester=requester, **fields)


def _titles(response) -> list[str]:
    return [t.title for t in response.context["tickets"]]


@pytest.fixture
def ticket(org_a, customer_a):
    return _open(org_a, customer_a, title="Webhooks arrive twice", description="Since **Monday**")


def _moved(ticket, agent, *statuses):
    for status in statuses:
        # Waiting on the customer comes with the question they are to answer.
        message = "Which region?" if status == Status.WAITING_ON_CUSTOMER else ""
        ticket = services.ticket_transition(ticket=ticket, to=status, actor=agent, message=message)
    return ticket


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_only_the_organizations_tickets(client, org_a, org_b, customer_a, customer_b):
    colleague = make_contact(org_a, username="colleague", first_name="Robin", last_name="Roe")
    _open(org_a, customer_a, title="Ours by me")
    _open(org_a, colleague, title="Ours by a colleague")
    theirs = _open(org_b, customer_b, title="Globex secret")
    client.force_login(customer_a)

    response = client.get(reverse("portal"))

    html = response.content.decode()
    assert response.status_code == 200
    assert _titles(response) == ["Ours by a colleague", "Ours by me"]
    assert "Globex secret" not in html
    assert theirs.key not in html
    assert "Robin Roe" in html
    assert "Acme Corp" in html
    assert 'class="tier tier-enterprise"' in html
    assert client.get(reverse("portal_ticket", args=[theirs.key])).status_code == 404
    assert (
        client.post(reverse("portal_reply", args=[theirs.key]), {"body": "hi"}).status_code == 404
    )
    assert Comment.objects.filter(ticket=theirs).count() == 0


def test_list_filters_by_status_newest_activity_first(client, org_a, customer_a, agent):
    new = _open(org_a, customer_a, title="New one")
    _moved(_open(org_a, customer_a, title="Resolved one"), agent, Status.RESOLVED)
    _moved(_open(org_a, customer_a, title="Closed one"), agent, Status.CLOSED)
    services.comment_add(ticket=new, author=customer_a, body="bump")  # newest activity now
    client.force_login(customer_a)
    url = reverse("portal")

    assert _titles(client.get(url)) == ["New one", "Closed one", "Resolved one"]
    assert _titles(client.get(url, {"status": "all"})) == ["New one", "Closed one", "Resolved one"]
    assert _titles(client.get(url, {"status": "open"})) == ["New one"]
    assert _titles(client.get(url, {"status": "resolved"})) == ["Resolved one"]
    assert _titles(client.get(url, {"status": "closed"})) == ["Closed one"]
    assert _titles(client.get(url, {"status": "bogus"})) == [
        "New one",
        "Closed one",
        "Resolved one",
    ]


def test_list_search_by_words_and_by_key(client, org_a, customer_a):
    one = _open(org_a, customer_a, title="Payments endpoint returns 500")
    _open(org_a, customer_a, title="Docs typo", description="The pagination page is wrong")
    client.force_login(customer_a)
    url = reverse("portal")

    assert _titles(client.get(url, {"q": "payment"})) == ["Payments endpoint returns 500"]
    assert _titles(client.get(url, {"q": "pagination"})) == ["Docs typo"]
    assert _titles(client.get(url, {"q": one.key})) == ["Payments endpoint returns 500"]
    response = client.get(url, {"q": "nothing like this"})
    assert _titles(response) == []
    assert "No tickets match" in response.content.decode()


def test_htmx_list_request_returns_only_the_results(client, org_a, customer_a):
    _open(org_a, customer_a, title="Only the partial")
    client.force_login(customer_a)

    html = client.get(reverse("portal"), {"status": "open"}, **HX).content.decode()

    assert html.lstrip().startswith('<section id="portal-results"')
    assert "Only the partial" in html
    assert "<html" not in html


def test_keyset_pagination_walks_every_ticket_once(client, org_a, customer_a):
    made = [_open(org_a, customer_a, title=f"T{i:02}") for i in range(30)]
    client.force_login(customer_a)

    first = client.get(reverse("portal"))
    assert len(first.context["tickets"]) == 25
    assert first.context["newer_url"] is None
    with CaptureQueriesContext(connection) as queries:
        second = client.get(first.context["older_url"])
    assert second.context["older_url"] is None
    back = client.get(second.context["newer_url"])

    seen = _titles(first) + _titles(second)
    assert seen == [t.title for t in reversed(made)]
    assert _titles(back) == _titles(first)
    assert not [q for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]


def test_garbage_cursor_shows_the_first_page(client, org_a, customer_a):
    _open(org_a, customer_a, title="Still here")
    client.force_login(customer_a)

    response = client.get(reverse("portal"), {"cursor": "not-a-cursor"})

    assert response.status_code == 200
    assert _titles(response) == ["Still here"]


def test_empty_state_invites_to_open_a_ticket(client, customer_a):
    client.force_login(customer_a)

    html = client.get(reverse("portal")).content.decode()

    assert "No tickets yet — open one" in html
    assert reverse("portal_new") in html


def test_waiting_tickets_are_called_out(client, org_a, customer_a, agent):
    _moved(_open(org_a, customer_a, title="Need info"), agent, Status.WAITING_ON_CUSTOMER)
    client.force_login(customer_a)

    html = client.get(reverse("portal")).content.decode()

    assert "1 ticket needs your reply." in html
    assert "Waiting on you" in html


def test_list_query_count_does_not_grow_with_tickets(
    client, org_a, customer_a, django_assert_max_num_queries, django_assert_num_queries
):
    colleague = make_contact(org_a, username="colleague")
    for i in range(2):
        _open(org_a, customer_a, title=f"a{i}")
    client.force_login(customer_a)
    url = reverse("portal")
    # Session, user, contact, organization, one page of rows, the waiting count; the base
    # template's own context (notifications) comes on top.
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for i in range(40):
        _open(org_a, colleague if i % 2 else customer_a, title=f"b{i}")
    with django_assert_num_queries(len(few)):
        client.get(url)


# --- opening a ticket ----------------------------------------------------------------------------


def _new_ticket_data(**overrides):
    data = {
        "title": "All API calls return 500",
        "description": "Since 10:00 UTC every call fails.",
        "severity": "1",
        "issue_type": "incident",
        "category": "performance",
        "environment": "production",
        "affected_users": "1200",
        "business_impact": "revenue_blocking",
        "workaround": "",
        "product_version": "v2",
        "error_message": '{"detail": "Internal Server Error"}',
        "request_id": "req_abc123",
        "affected_endpoint": "POST /v1/payments",
        "recent_changes": "",
    }
    data.update(overrides)
    return data


def test_new_ticket_form_shows_severity_help_and_attachment_limit(client, customer_a, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    client.force_login(customer_a)

    html = client.get(reverse("portal_new")).content.decode()

    assert "All API requests failing, authentication completely down, data breach" in html
    assert "Up to 10 files, 5 MB each." in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html


def test_opening_a_ticket_with_attachments(client, org_a, customer_a):
    client.force_login(customer_a)
    files = [
        SimpleUploadedFile("trace.log", b"Traceback ..."),
        SimpleUploadedFile("screen.png", b"\x89PNG fake"),
    ]

    response = client.post(reverse("portal_new"), {**_new_ticket_data(), "attachments": files})

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_ticket", args=[ticket.key])
    assert (ticket.organization, ticket.requester, ticket.channel) == (
        org_a,
        customer_a,
        Channel.PORTAL,
    )
    assert (ticket.title, ticket.severity, ticket.issue_type, ticket.category) == (
        "All API calls return 500",
        1,
        "incident",
        "performance",
    )
    assert (ticket.affected_users, ticket.business_impact, ticket.request_id) == (
        1200,
        "revenue_blocking",
        "req_abc123",
    )
    assert (ticket.affected_endpoint, ticket.workaround_available) == ("POST /v1/payments", False)
    assert sorted(a.original_name for a in Attachment.objects.filter(ticket=ticket)) == [
        "screen.png",
        "trace.log",
    ]
    assert set(Attachment.objects.values_list("is_internal", flat=True)) == {False}
    page = client.get(response["Location"]).content.decode()
    assert f"Ticket {ticket.key} is open." in page
    assert "trace.log" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Give your ticket a subject."),
        ({"severity": "9"}, "Choose one of the severities listed."),
        ({"severity": "P1"}, "Choose one of the severities listed."),
        ({"category": "billing"}, "Choose one of the areas listed."),
    ],
)
def test_bad_input_re_renders_with_errors_and_creates_nothing(
    client, customer_a, overrides, message
):
    client.force_login(customer_a)

    response = client.post(reverse("portal_new"), _new_ticket_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Your ticket was not sent yet." in html
    assert "Since 10:00 UTC every call fails." in html  # what they typed is kept
    assert "req_abc123" in html
    assert Ticket.objects.count() == 0


def test_oversized_file_is_refused_and_asks_to_choose_files_again(client, customer_a, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 10
    client.force_login(customer_a)
    upload = SimpleUploadedFile("huge.har", b"x" * 11)

    response = client.post(reverse("portal_new"), {**_new_ticket_data(), "attachments": [upload]})

    html = response.content.decode()
    assert response.status_code == 200
    assert "“huge.har” is" in html
    assert "each file may be at most" in html
    assert "Choose your files again" in html
    assert "All API calls return 500" in html
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_customer_without_organization_cannot_open_a_ticket(client):
    orphan = UserFactory(role="customer", username="orphan")
    client.force_login(orphan)

    response = client.post(reverse("portal_new"), _new_ticket_data())

    assert response.status_code == 200
    assert "not linked to an organization" in response.content.decode()
    assert Ticket.objects.count() == 0


# --- one ticket ----------------------------------------------------------------------------------


def test_ticket_page_never_shows_internal_notes(client, ticket, customer_a, agent):
    services.comment_add(ticket=ticket, author=agent, body="We are looking into it")
    services.comment_add(ticket=ticket, author=agent, body="SECRET note", is_internal=True)
    services.attachment_add(
        ticket=ticket,
        uploaded_by=agent,
        file=SimpleUploadedFile("internal-dump.txt", b"secret"),
        is_internal=True,
    )
    client.force_login(customer_a)
    url = reverse("portal_ticket", args=[ticket.key])

    page = client.get(url).content.decode()
    partial = client.get(url, **HX).content.decode()

    for html in (page, partial):
        assert "We are looking into it" in html
        assert "SECRET" not in html
        assert "internal-dump.txt" not in html
        assert "Internal note" not in html
    assert "<strong>Monday</strong>" in page
    assert partial.lstrip().startswith('<section id="portal-conversation"')


def test_ticket_page_weaves_status_changes_into_the_conversation(client, ticket, customer_a, agent):
    services.comment_add(ticket=ticket, author=agent, body="First answer")
    _moved(ticket, agent, Status.INVESTIGATING)
    services.comment_add(ticket=ticket, author=agent, body="Second answer")
    client.force_login(customer_a)

    response = client.get(reverse("portal_ticket", args=[ticket.key]))

    kinds = [(e.kind, e.comment.body if e.comment else e.text) for e in response.context["entries"]]
    assert kinds == [
        ("event", "You opened the ticket"),
        ("comment", "First answer"),
        ("event", "Alex Agent changed the status to"),
        ("comment", "Second answer"),
    ]


def test_public_attachment_links_to_the_download(client, ticket, customer_a, agent):
    services.comment_add(
        ticket=ticket,
        author=agent,
        body="Here is the fix",
        files=[SimpleUploadedFile("patch.diff", b"+ fix")],
    )
    attachment = Attachment.objects.get(original_name="patch.diff")
    client.force_login(customer_a)

    html = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()

    assert reverse("attachment_download", args=[attachment.pk]) in html
    assert client.get(reverse("attachment_download", args=[attachment.pk])).status_code == 200


def test_reply_on_waiting_ticket_hands_it_back(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.WAITING_ON_CUSTOMER)
    client.force_login(customer_a)

    response = client.post(
        reverse("portal_reply", args=[ticket.key]),
        {"body": "Here is the request id", "attachments": [SimpleUploadedFile("a.txt", b"id")]},
    )

    ticket.refresh_from_db()
    comment = Comment.objects.get(ticket=ticket, author=customer_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_ticket", args=[ticket.key]) + "#latest"
    assert ticket.status == Status.IN_PROGRESS
    assert (comment.author, comment.is_internal, comment.body) == (
        customer_a,
        False,
        "Here is the request id",
    )
    assert [a.original_name for a in comment.attachments.all()] == ["a.txt"]


def test_htmx_reply_returns_the_conversation_and_the_new_status(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.WAITING_ON_CUSTOMER)
    client.force_login(customer_a)

    response = client.post(
        reverse("portal_reply", args=[ticket.key]),
        {"body": "Done", "attachments": [SimpleUploadedFile("proof.txt", b"ok")]},
        **HX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="portal-conversation"')
    assert 'id="portal-status" class="pill status-in_progress" hx-swap-oob="true"' in html
    assert '<aside id="portal-side" class="portal-side" hx-swap-oob="true">' in html
    assert html.count("proof.txt") == 2  # beside the reply, and in the files list
    assert "Reply sent." in html
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_reply_form_keeps_hx_post_and_a_plain_action(client, ticket, customer_a):
    client.force_login(customer_a)
    url = reverse("portal_reply", args=[ticket.key])

    html = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()

    assert f'action="{url}"' in html
    assert f'hx-post="{url}"' in html
    assert 'hx-target="#portal-conversation"' in html


def test_empty_reply_shows_the_error_and_writes_nothing(client, ticket, customer_a):
    client.force_login(customer_a)

    response = client.post(reverse("portal_reply", args=[ticket.key]), {"body": "  "}, **HX)

    assert response.status_code == 200
    assert "Write a message before sending." in response.content.decode()
    assert Comment.objects.count() == 0


def test_refused_reply_keeps_the_text(client, ticket, customer_a, agent, settings):
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 3
    client.force_login(customer_a)

    response = client.post(
        reverse("portal_reply", args=[ticket.key]),
        {"body": "My long explanation", "attachments": [SimpleUploadedFile("b.log", b"1234")]},
        **HX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "My long explanation" in html
    assert "Choose your files again" in html
    assert Comment.objects.count() == 0


def test_reply_refused_by_the_service_is_shown_in_the_form(client, ticket, customer_a, agent):
    client.force_login(customer_a)
    page = client.get(reverse("portal_ticket", args=[ticket.key]))  # the form is on screen
    assert page.status_code == 200
    _moved(ticket, agent, Status.CLOSED)  # ...and meanwhile the agent closes the ticket

    response = client.post(reverse("portal_reply", args=[ticket.key]), {"body": "One more"}, **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "This ticket is closed. Open a new ticket and mention this one." in html
    assert "One more" in html  # shown back so it can be copied into a new ticket
    assert Comment.objects.count() == 0


def test_closed_ticket_shows_a_notice_instead_of_the_reply_form(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.CLOSED)
    client.force_login(customer_a)

    html = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()

    assert "This ticket is closed" in html
    assert reverse("portal_reply", args=[ticket.key]) not in html


def test_resolved_ticket_offers_confirm_and_reopen(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.RESOLVED)
    client.force_login(customer_a)

    html = client.get(reverse("portal_ticket", args=[ticket.key])).content.decode()

    assert "Yes, it's fixed — close the ticket" in html
    assert "No, it still happens — reopen" in html
    assert reverse("portal_confirm", args=[ticket.key]) in html
    assert reverse("portal_reopen", args=[ticket.key]) in html


def test_confirm_closes_a_resolved_ticket(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.RESOLVED)
    client.force_login(customer_a)

    response = client.post(reverse("portal_confirm", args=[ticket.key]))

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at is not None
    assert "is closed" in client.get(response["Location"]).content.decode()


def test_confirm_is_refused_unless_resolved(client, ticket, customer_a):
    client.force_login(customer_a)

    response = client.post(reverse("portal_confirm", args=[ticket.key]), follow=True)

    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert "You can confirm a resolution or reopen a resolved ticket" in response.content.decode()


def test_reopen_with_a_reply_moves_to_investigating(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.RESOLVED)
    client.force_login(customer_a)

    response = client.post(
        reverse("portal_reopen", args=[ticket.key]), {"body": "Still failing on staging"}
    )

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == Status.INVESTIGATING
    assert ticket.resolved_at is None
    assert list(Comment.objects.values_list("body", "is_internal")) == [
        ("Still failing on staging", False)
    ]


def test_reopen_without_text_adds_no_comment(client, ticket, customer_a, agent):
    _moved(ticket, agent, Status.RESOLVED)
    client.force_login(customer_a)

    client.post(reverse("portal_reopen", args=[ticket.key]), {"body": ""})

    ticket.refresh_from_db()
    assert ticket.status == Status.INVESTIGATING
    assert Comment.objects.count() == 0


def test_refused_reopen_writes_nothing_and_keeps_the_text(client, ticket, customer_a):
    client.force_login(customer_a)

    response = client.post(
        reverse("portal_reopen", args=[ticket.key]), {"body": "Please look again"}
    )

    html = response.content.decode()
    ticket.refresh_from_db()
    assert response.status_code == 200
    assert "You can confirm a resolution or reopen a resolved ticket" in html
    assert "Please look again" in html
    assert ticket.status == Status.NEW
    assert Comment.objects.count() == 0


# --- access --------------------------------------------------------------------------------------


def test_agents_get_404_on_portal_urls(client, agent, ticket):
    client.force_login(agent)

    assert client.get(reverse("portal")).status_code == 404
    assert client.get(reverse("portal_new")).status_code == 404
    assert client.get(reverse("portal_ticket", args=[ticket.key])).status_code == 404
    assert client.post(reverse("portal_confirm", args=[ticket.key])).status_code == 404


def test_anonymous_is_sent_to_login(client, ticket):
    for url in (
        reverse("portal"),
        reverse("portal_new"),
        reverse("portal_ticket", args=[ticket.key]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_post_only_urls_refuse_get(client, ticket, customer_a):
    client.force_login(customer_a)

    for name in ("portal_reply", "portal_confirm", "portal_reopen"):
        assert client.get(reverse(name, args=[ticket.key])).status_code == 405


def test_posts_need_the_csrf_token(ticket, customer_a, agent):
    _moved(ticket, agent, Status.RESOLVED)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer_a)

    response = strict.post(reverse("portal_confirm", args=[ticket.key]))

    ticket.refresh_from_db()
    assert response.status_code == 403
    assert ticket.status == Status.RESOLVED
