"""Merging tickets: everything moves with its history, nothing is lost, access is kept."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from helpdesk import clock
from helpdesk.errors import DomainError, Forbidden
from helpdesk.models import Notification
from tests.factories import TeamFactory, make_agent, make_contact, make_ticket
from tickets import services
from tickets.choices import EventKind, Severity, Status
from tickets.models import (
    Attachment,
    Comment,
    SlaEvent,
    SlaEventKind,
    SlaTarget,
    Ticket,
    TicketCc,
    TicketEvent,
    TicketFollower,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pair(agent, org_a, customer_a):
    """A ticket with a reply, a note, two files and a CC, and the ticket it duplicates."""
    colleague = make_contact(org_a, username="colleague", first_name="Cleo")
    other = make_contact(org_a, username="other_req", first_name="Olly")
    target = make_ticket(actor=agent, organization=org_a, title="SSO down", requester=customer_a)
    source = make_ticket(
        actor=agent,
        organization=org_a,
        title="Cannot log in",
        description="Login fails with 500 since 9:00.",
        requester=other,
        severity=Severity.P2,
        files=[SimpleUploadedFile("har.txt", b"GET /login 500")],
    )
    services.comment_add(ticket=source, author=agent, body="Looking into it.")
    services.comment_add(
        ticket=source,
        author=agent,
        body="Seen in the logs.",
        is_internal=True,
        files=[SimpleUploadedFile("log.txt", b"trace")],
    )
    TicketCc.objects.create(ticket=source, user=colleague, created_at=clock.now())
    TicketFollower.objects.create(ticket=source, user=agent, created_at=clock.now())
    return source, target


def test_a_merge_moves_everything_and_loses_nothing(agent, pair, customer_a):
    source, target = pair
    comments_before = Comment.objects.filter(ticket__in=[source, target]).count()
    files_before = Attachment.objects.filter(ticket__in=[source, target]).count()
    moved_ids = set(Comment.objects.filter(ticket=source).values_list("pk", flat=True))

    [moved] = services.ticket_merge(sources=[source], target=target, actor=agent)

    assert (moved.comments, moved.attachments, moved.cc, moved.followers) == (2, 2, 1, 1)
    assert moved.requester.username == "other_req"
    assert set(Comment.objects.filter(ticket=target).values_list("pk", flat=True)) >= moved_ids
    assert Attachment.objects.filter(ticket=target).count() == files_before
    # The moved comments, the merged ticket's description (a note) and its closing note.
    assert Comment.objects.filter(ticket__in=[source, target]).count() == comments_before + 2
    assert set(TicketCc.objects.filter(ticket=target).values_list("user__username", flat=True)) == {
        "colleague",
        "other_req",
    }
    assert TicketFollower.objects.filter(ticket=target, user=agent).exists()
    # The moved replies and files are on the target's timeline at their own times.
    copied = TicketEvent.objects.filter(ticket=target, before={"merged_from": source.key})
    assert sorted(copied.values_list("kind", flat=True)) == [
        "attachment",
        "attachment",
        "note",
        "reply",
    ]
    assert set(copied.exclude(comment=None).values_list("comment_id", flat=True)) == moved_ids
    recorded = TicketEvent.objects.filter(ticket=target, kind=EventKind.MERGE).get().after
    assert recorded == {
        "from": source.key,
        "comments": 2,
        "attachments": 2,
        "requester": moved.requester.display_name,
        "cc": 1,
        "followers": 1,
    }

    source.refresh_from_db()
    assert source.status == Status.CLOSED
    assert source.merged_into_id == target.pk
    note = Comment.objects.filter(ticket=source).get()
    assert not note.is_internal
    assert target.key in note.body
    assert TicketEvent.objects.get(ticket=source, kind=EventKind.MERGE).after["into"] == target.key


def test_the_merged_tickets_sla_stops_without_a_breach(agent, pair):
    source, target = pair
    assert SlaTarget.objects.filter(ticket=source, next_check_at__isnull=False).exists()

    services.ticket_merge(sources=[source], target=target, actor=agent)

    source.refresh_from_db()
    assert source.sla_due_at is None
    assert source.sla_breached_at is None
    assert not SlaTarget.objects.filter(ticket=source, next_check_at__isnull=False).exists()
    kinds = set(SlaEvent.objects.filter(ticket=source).values_list("kind", flat=True))
    assert SlaEventKind.CANCELLED in kinds
    assert SlaEventKind.BREACHED not in kinds
    assert SlaTarget.objects.filter(ticket=target, next_check_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("other_organization", "merge_other_organization"),
        ("itself", "merge_into_itself"),
        ("closed_source", "merge_closed"),
        ("closed_target", "merge_into_closed"),
        ("security_into_open", "merge_security_into_open"),
    ],
)
def test_a_refused_merge_says_why_and_moves_nothing(case, code, agent, org_a, org_b):
    security = TeamFactory(name="Security", slug="security", is_security=True)
    security.members.add(agent)
    source = make_ticket(actor=agent, organization=org_a, title="Source")
    services.comment_add(ticket=source, author=agent, body="Hello")
    target = make_ticket(actor=agent, organization=org_a, title="Target")
    if case == "other_organization":
        target = make_ticket(actor=agent, organization=org_b, title="Elsewhere")
    elif case == "itself":
        target = source
    elif case == "closed_source":
        services.ticket_transition(ticket=source, to=Status.CLOSED, actor=agent)
    elif case == "closed_target":
        services.ticket_transition(ticket=target, to=Status.CLOSED, actor=agent)
    elif case == "security_into_open":
        services.ticket_update(ticket=source, actor=agent, changes={"is_security": True})

    with pytest.raises(DomainError) as refused:
        services.ticket_merge(sources=[source], target=target, actor=agent)

    assert refused.value.code == code
    assert Comment.objects.filter(ticket=source).count() == 1
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    assert not TicketEvent.objects.filter(kind=EventKind.MERGE).exists()


def test_another_organizations_ticket_is_refused_naming_both(agent, org_a, org_b):
    source = make_ticket(actor=agent, organization=org_a, title="Ours")
    target = make_ticket(actor=agent, organization=org_b, title="Theirs")

    with pytest.raises(DomainError) as refused:
        services.ticket_merge(sources=[source], target=target, actor=agent)

    assert refused.value.message.startswith(
        f"{source.key} belongs to Acme Corp and {target.key} to Globex: only tickets of one "
        "organization can be merged"
    )


def test_security_reports_merge_only_for_cleared_agents(agent, org_a):
    reporter = make_agent(username="flagger")
    source = make_ticket(actor=agent, organization=org_a, title="Leak", assignee=agent)
    target = make_ticket(actor=agent, organization=org_a, title="Leak again", assignee=agent)
    for ticket in (source, target):
        services.ticket_update(ticket=ticket, actor=agent, changes={"is_security": True})

    # The assignee sees both, but only the security team merges security reports.
    with pytest.raises(Forbidden):
        services.ticket_merge(sources=[source], target=target, actor=agent)
    with pytest.raises(DomainError) as unseen:
        services.ticket_merge(sources=[source], target=target, actor=reporter)
    assert unseen.value.code == "not_found"
    assert Ticket.objects.get(pk=source.pk).status != Status.CLOSED


def test_a_customer_cannot_merge(customer_a, agent, org_a):
    source = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    target = make_ticket(actor=agent, organization=org_a, requester=customer_a)
    with pytest.raises(Forbidden):
        services.ticket_merge(sources=[source], target=target, actor=customer_a)


def test_the_confirmation_counts_what_will_move_and_the_post_merges(client, agent, pair):
    source, target = pair
    client.force_login(agent)
    url = reverse("ticket_merge", args=[source.key])

    shown = client.get(url, {"into": target.key})

    html = shown.content.decode()
    assert shown.status_code == 200
    assert f"Merge {source.key} into {target.key}" in html
    assert "2 comments" in html
    assert "2 attachments" in html
    assert "Olly" in html  # the requester who becomes a CC
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None  # showing changes nothing

    done = client.post(url, {"into": target.key})

    assert done.status_code == 302
    assert done["Location"] == reverse("ticket_detail", args=[target.key])
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_the_merged_tickets_page_points_to_the_target(client, agent, pair):
    source, target = pair
    services.ticket_merge(sources=[source], target=target, actor=agent)
    client.force_login(agent)

    html = client.get(reverse("ticket_detail", args=[source.key])).content.decode()

    assert f'Merged into <a href="{reverse("ticket_detail", args=[target.key])}"' in html
    assert '<span class="sla sla-stopped">Stopped</span>' in html
    assert "sla-ok" not in html


def test_the_picker_offers_only_the_same_organizations_open_tickets(client, agent, org_a, org_b):
    source = make_ticket(actor=agent, organization=org_a, title="Login loop")
    same = make_ticket(actor=agent, organization=org_a, title="Login loop again")
    make_ticket(actor=agent, organization=org_b, title="Login loop elsewhere")
    client.force_login(agent)

    html = client.get(reverse("ticket_merge_picker", args=[source.key]), {"q": "login"}).content
    html = html.decode()

    assert same.key in html
    assert "elsewhere" not in html
    assert f">{source.key}<" not in html


def test_the_portal_follows_a_merge(client, agent, pair, customer_a):
    source, target = pair
    services.ticket_merge(sources=[source], target=target, actor=agent)
    client.force_login(customer_a)

    answer = client.get(reverse("portal_ticket", args=[source.key]))

    assert answer.status_code == 302
    assert answer["Location"] == reverse("portal_ticket", args=[target.key])


def test_the_api_names_the_ticket_it_was_merged_into(client, agent, pair):
    source, target = pair
    services.ticket_merge(sources=[source], target=target, actor=agent)
    client.force_login(agent)

    body = client.get(f"/api/v1/tickets/{source.key}/").json()

    assert body["merged_into"] == target.key
    assert client.get(f"/api/v1/tickets/{target.key}/").json()["merged_into"] is None


def test_merging_twice_at_once_moves_once(agent, pair):
    source, target = pair
    services.ticket_merge(sources=[source], target=target, actor=agent)
    with pytest.raises(DomainError):
        services.ticket_merge(sources=[source], target=target, actor=agent)
    assert TicketEvent.objects.filter(ticket=target, kind=EventKind.MERGE).count() == 1


def test_a_target_already_past_due_is_breached_when_the_merge_stops_it(agent, pair):
    source, target = pair
    SlaTarget.objects.filter(ticket=source).update(due_at=clock.now() - timedelta(minutes=1))
    services.ticket_merge(sources=[source], target=target, actor=agent)
    running = SlaTarget.objects.filter(ticket=source, fulfilled_at=None).count()
    breached = SlaEvent.objects.filter(ticket=source, kind=SlaEventKind.BREACHED)
    assert running
    assert breached.count() == running


def test_the_demo_seed_loads_a_merge_and_a_follow_up_once(agent, org_a):
    for name in ("dana", "raj"):
        make_contact(org_a, username=name)

    call_command("seed_workflow", if_empty=True, stdout=StringIO())
    call_command("seed_workflow", if_empty=True, stdout=StringIO())

    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
    assert Ticket.objects.filter(follow_up_of__isnull=False).count() == 1


def test_the_merged_tickets_customer_is_told_once_with_the_note(
    agent, pair, django_capture_on_commit_callbacks
):
    source, target = pair
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_merge(sources=[source], target=target, actor=agent)

    [notice] = Notification.objects.filter(user=source.requester, ticket_id=source.pk)
    assert notice.title == f"{source.key} is now closed"
    assert target.key in notice.body


def test_the_queue_selection_merges_after_one_confirmation(client, agent, org_a):
    target = make_ticket(actor=agent, organization=org_a, title="Target")
    sources = [make_ticket(actor=agent, organization=org_a, title=f"Copy {i}") for i in (1, 2)]
    services.comment_add(ticket=sources[0], author=agent, body="First copy's reply")
    client.force_login(agent)
    ids = [t.pk for t in (*sources, target)]

    bulk = client.post(
        reverse("queue_bulk"),
        {"ids": ids, "bulk_action": "merge", "bulk_merge_into": target.key.lower()},
    )

    confirm_url = bulk["Location"]
    assert confirm_url == (
        reverse("ticket_merge_in", args=[target.key])
        + f"?from={sources[0].key}&from={sources[1].key}"
    )
    html = client.get(confirm_url).content.decode()
    assert "Merge 2 tickets into" in html
    assert "1 comment</strong>" in html
    assert not Ticket.objects.filter(merged_into=target).exists()

    client.post(reverse("ticket_merge_in", args=[target.key]), {"from": [t.key for t in sources]})
    assert Ticket.objects.filter(merged_into=target).count() == 2


def test_one_refused_ticket_holds_back_the_whole_selection(client, agent, org_a, org_b):
    target = make_ticket(actor=agent, organization=org_a, title="Target")
    ours = make_ticket(actor=agent, organization=org_a, title="Ours")
    theirs = make_ticket(actor=agent, organization=org_b, title="Theirs")
    client.force_login(agent)
    url = reverse("ticket_merge_in", args=[target.key])

    answer = client.post(url, {"from": [ours.key, theirs.key]})

    html = answer.content.decode()
    assert "only tickets of one organization can be merged" in html
    assert 'id="merge-confirm-btn"' not in html
    assert not Ticket.objects.filter(merged_into=target).exists()


def test_a_bulk_merge_names_a_ticket_key_or_is_refused(client, agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a)
    client.force_login(agent)
    answer = client.post(
        reverse("queue_bulk"),
        {"ids": [ticket.pk], "bulk_action": "merge", "bulk_merge_into": "a/b"},
        follow=True,
    )
    assert "Enter the ticket to merge into (SUP-123)." in answer.content.decode()
