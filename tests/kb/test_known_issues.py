"""Known issues: close a ticket as one (the playbook's reply with the workaround), the follow-up
once fixed (each ticket told once, even if pressed twice), weekly frequency, the JSONL import."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from helpdesk import clock
from kb.importer import map_status
from kb.models import KnownIssue, KnownIssueStatus
from kb.services import known_issue_link_ticket, known_issue_save
from tests.factories import make_contact, make_ticket
from tests.kb.kb_factories import make_known_issue
from tickets.models import Comment, TicketEvent

pytestmark = pytest.mark.django_db


def test_close_as_known_issue_resolves_with_the_filled_template(client, agent, org_a, customer_a):
    issue = make_known_issue(
        agent,
        external_id="KI-44",
        component="Orders API",
        affected_versions="v4.19",
        workaround="Round amounts to two decimals client-side.",
    )
    ticket = make_ticket(actor=customer_a, organization=org_a, title="PATCH returns 500")
    client.force_login(agent)
    response = client.post(
        reverse("kb:ticket_link", args=[ticket.key]), {"known_issue": "ki-44", "close": "1"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    reply = Comment.objects.get(ticket=ticket)
    assert not reply.is_internal
    assert "This is a known issue with Orders API (v4.19)" in reply.body
    assert "The recommended workaround is Round amounts to two decimals client-side." in reply.body
    assert "[workaround]" not in reply.body
    assert "[component/version]" not in reply.body
    assert reply.body.startswith("Hi Acme Corp team,")  # the template's greeting, filled in
    assert "client-side.." not in reply.body
    assert "KI-44" in reply.body
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"reply", "status"} <= kinds
    assert issue.ticket_links.get().ticket == ticket


def test_link_from_the_panel_refuses_an_unknown_id_and_links_once(client, agent, org_a):
    issue = make_known_issue(agent, external_id="KI-7")
    ticket = make_ticket(actor=agent, organization=org_a)
    client.force_login(agent)
    url = reverse("kb:ticket_link", args=[ticket.key])
    html = client.post(url, {"known_issue": "KI-999"}, HTTP_HX_REQUEST="true").content.decode()
    assert "No known issue has that id." in html
    client.post(url, {"known_issue": "KI-7"}, HTTP_HX_REQUEST="true")
    html = client.post(url, {"known_issue": "KI-7"}, HTTP_HX_REQUEST="true").content.decode()
    assert issue.ticket_links.count() == 1
    assert "KI-7" in html
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_fixed_issue_follows_up_each_open_ticket_once(client, agent, org_a, org_b):
    issue = make_known_issue(agent, external_id="KI-52")
    customers = [make_contact(org_a), make_contact(org_b)]
    tickets = [make_ticket(actor=c, organization=c.contact.organization) for c in customers]
    closed = make_ticket(actor=agent, organization=org_a, title="Old one")
    from tickets import services as ticket_services

    ticket_services.ticket_transition(ticket=closed, to="closed", actor=agent)
    for t in [*tickets, closed]:
        known_issue_link_ticket(issue=issue, ticket=t, actor=agent)
    client.force_login(agent)
    url = reverse("kb:known_issue_follow_up", args=["KI-52"])

    refused = client.post(url, {"message": "Fixed!"})
    assert refused.status_code == 400  # not marked fixed yet
    assert not Comment.objects.filter(body="Fixed!").exists()

    known_issue_save(actor=agent, issue=issue, status="fixed", fix_version="2.5.0")
    detail = client.get(reverse("kb:known_issue", args=["KI-52"])).content.decode()
    assert "2 linked tickets not yet told of the fix" in detail
    assert "fixed in version 2.5.0" in detail
    client.post(url, {"message": "Fixed in 2.5.0: please upgrade."})
    client.post(url, {"message": "Fixed in 2.5.0: please upgrade."})  # pressed twice

    for t in tickets:
        replies = Comment.objects.filter(ticket=t, body="Fixed in 2.5.0: please upgrade.")
        assert replies.count() == 1
        assert not replies.get().is_internal
        assert TicketEvent.objects.filter(ticket=t, kind="reply", comment=replies.get()).exists()
    assert not Comment.objects.filter(ticket=closed).exists()
    assert issue.ticket_links.filter(followed_up_at__isnull=False).count() == 2
    detail = client.get(reverse("kb:known_issue", args=["KI-52"])).content.decode()
    assert "Every linked ticket has been told." in detail


def test_marking_fixed_needs_a_fix_version(agent):
    issue = make_known_issue(agent)
    from helpdesk.errors import DomainError

    with pytest.raises(DomainError):
        known_issue_save(actor=agent, issue=issue, status="fixed")
    issue.refresh_from_db()
    assert issue.status == "investigating"


def test_the_detail_page_counts_linked_tickets_per_week(client, agent, org_a):
    issue = make_known_issue(agent, external_id="KI-3")
    now = clock.now()
    for weeks_ago, n in ((0, 2), (2, 3)):
        for _ in range(n):
            ticket = make_ticket(actor=agent, organization=org_a)
            known_issue_link_ticket(
                issue=issue, ticket=ticket, actor=agent, now=now - timedelta(weeks=weeks_ago)
            )
    client.force_login(agent)
    html = client.get(reverse("kb:known_issue", args=["KI-3"])).content.decode()
    table = html.split('class="kb-freq"')[1].split("</table>")[0]
    assert [cell for cell in ("<td>2</td>", "<td>3</td>") if cell in table] == [
        "<td>2</td>",
        "<td>3</td>",
    ]
    assert "Linked tickets (5)" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open (fix scheduled for 2026.11.3)", ("fix_scheduled", "2026.11.3")),
        ("fixed in 4.2.1", ("fixed", "4.2.1")),
        ("Fixed in v4.20.", ("fixed", "4.20")),
        ("investigating", ("investigating", "")),
        ("open", ("investigating", "")),
        ("root cause identified", ("identified", "")),
    ],
)
def test_free_text_statuses_map_to_the_vocabulary(text, expected):
    assert map_status(text) == expected


def _write(path, rows):
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
        encoding="utf-8",
    )
    return path


def test_import_round_trips_and_updates_by_id(tmp_path, agent, capsys):
    rows = [
        {
            "id": "KI-101",
            "title": "Exports time out over 1M rows",
            "component": "Exports",
            "error_signatures": ["504 Gateway Timeout", "GET /v1/exports"],
            "symptoms": "Large exports fail.",
            "workaround": "Export by month.",
            "status": "open (fix scheduled for 2026.11.3)",
        },
        {"id": "KI-102", "title": "Typo in invoice PDF", "status": "fixed in 4.2.1"},
    ]
    path = _write(tmp_path / "ki.jsonl", rows)
    call_command("import_known_issues", str(path), "--as", agent.username)
    first = KnownIssue.objects.get(external_id="KI-101")
    assert first.status == KnownIssueStatus.FIX_SCHEDULED
    assert first.fix_version == "2026.11.3"
    assert first.error_signatures == ["504 Gateway Timeout", "GET /v1/exports"]
    assert KnownIssue.objects.get(external_id="KI-102").fix_version == "4.2.1"

    rows[0]["status"] = "fixed in 2026.11.3"
    rows[0]["title"] = "Exports time out over one million rows"
    call_command("import_known_issues", str(_write(path, rows)), "--as", agent.username)
    assert KnownIssue.objects.count() == 2
    first.refresh_from_db()
    assert first.title == "Exports time out over one million rows"
    assert first.status == KnownIssueStatus.FIXED
    assert first.fixed_at is not None
    assert "0 created, 2 updated" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"title": "No id"}), "“id” is missing"),
        (json.dumps({"id": "KI-9", "title": "x", "error_signatures": "one"}), "list of strings"),
        (json.dumps({"id": "KI-1", "title": "Again"}), "already appears on line 1"),
        (json.dumps({"id": "KI-9", "title": "x", "status": "fixed"}), "names no version"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_and_names_its_line(tmp_path, agent, bad, reason):
    path = _write(
        tmp_path / "ki.jsonl",
        [
            {"id": "KI-1", "title": "Fine", "status": "investigating"},
            {"id": "KI-2", "title": "Also fine", "status": "fixed in 1.0"},
            bad,
        ],
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_known_issues", str(path), "--as", agent.username)
    assert "line 3" in str(refused.value)
    assert reason in str(refused.value)
    assert "Nothing was imported" in str(refused.value)
    assert not KnownIssue.objects.exists()


def test_close_as_known_issue_uses_the_playbook_words_when_the_template_was_deleted(agent, org_a):
    from kb.services import known_issue_close_ticket
    from tickets.models import ReplyTemplate

    ReplyTemplate.objects.filter(slug="known-issue-workaround").delete()
    issue = make_known_issue(agent, component="Exports", workaround="Export by month.")
    ticket = make_ticket(actor=agent, organization=org_a)
    known_issue_close_ticket(issue=issue, ticket=ticket, actor=agent)
    body = Comment.objects.get(ticket=ticket).body
    assert (
        "This is a known issue with Exports. The recommended workaround is Export by month." in body
    )
