"""The postmortem pages: who may see them, the editor's htmx saves, export, print, panels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from helpdesk import clock
from helpdesk.models import Role
from postmortems import services
from postmortems.models import Postmortem
from tests.factories import make_agent, make_contact, make_ticket
from tickets.models import Ticket

from .conftest import T0, resolve

pytestmark = pytest.mark.django_db
RESOLVED_AT = T0 + timedelta(hours=2)


@pytest.fixture
def pm(incident):
    ticket, _ = incident
    return services.postmortem_open_draft(ticket_id=ticket.pk, now=RESOLVED_AT)


def _security_postmortem(people):
    agent = people["agent"]
    ticket = make_ticket(actor=agent, severity=1, title="Token leak", is_security=True)
    ticket = resolve(ticket, agent, at=RESOLVED_AT)
    return services.postmortem_open_draft(ticket_id=ticket.pk, now=RESOLVED_AT)


def test_access_follows_the_tickets_policy(client, pm, people):
    secret = _security_postmortem(people)
    outsider = make_agent(username="other", first_name="Oz", last_name="Other")
    client.force_login(outsider)
    assert client.get(reverse("postmortems:detail", args=[pm.pk])).status_code == 200
    # A security ticket's postmortem is as restricted as the ticket, on every path.
    for name in ("detail", "export", "print"):
        assert client.get(reverse(f"postmortems:{name}", args=[secret.pk])).status_code == 404
    url = reverse("postmortems:section", args=[secret.pk, "summary"])
    assert client.post(url, {"text": "x"}).status_code == 404
    listing = client.get(reverse("postmortems:list")).content.decode()
    assert pm.ticket.key in listing
    assert secret.ticket.key not in listing


def test_customers_never_see_a_postmortem(client, pm, incident):
    ticket, _ = incident
    customer = make_contact(ticket.organization, username="cust")
    client.force_login(customer)
    for url in (
        reverse("postmortems:list"),
        reverse("postmortems:detail", args=[pm.pk]),
        reverse("postmortems:export", args=[pm.pk]),
        reverse("postmortems:ticket_panel", args=[ticket.key]),
    ):
        assert client.get(url).status_code == 404


def test_a_section_saves_with_htmx_and_shows_blameless_warnings(client, pm, people):
    client.force_login(people["agent"])
    url = reverse("postmortems:section", args=[pm.pk, "root_cause"])
    response = client.post(
        url, {"text": "Human error: Olu Okafor restarted the wrong node."}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="section-root_cause"' in html
    assert "Saved" in html
    assert 'id="pm-warnings" hx-swap-oob="true"' in html
    assert "“Human error”" in html
    assert "“Olu Okafor”" in html
    pm.refresh_from_db()
    assert pm.root_cause == "Human error: Olu Okafor restarted the wrong node."


def test_an_entry_is_edited_starred_and_hidden(client, pm, people):
    client.force_login(people["agent"])
    entry = pm.entries.filter(kind="page").first()
    url = reverse("postmortems:entry", args=[pm.pk, entry.pk])
    client.post(url, {"text": "Paged the checkout on-call"}, HTTP_HX_REQUEST="true")
    client.post(url, {"starred": "1"}, HTTP_HX_REQUEST="true")
    response = client.post(url, {"hidden": "1"}, HTTP_HX_REQUEST="true")
    assert f'id="entry-{entry.pk}"' in response.content.decode()
    entry.refresh_from_db()
    assert (entry.text, entry.edited, entry.starred, entry.hidden) == (
        "Paged the checkout on-call",
        True,
        True,
        True,
    )


def test_action_items_are_added_and_edited(client, pm, people):
    client.force_login(people["agent"])
    client.post(
        reverse("postmortems:action_add", args=[pm.pk]),
        {"title": "Bound the retry queue", "kind": "prevent", "owner": "olu", "due": ""},
        HTTP_HX_REQUEST="true",
    )
    item = pm.actions.get()
    assert (item.owner.username, item.due_at - item.created_at) == ("olu", timedelta(days=15))
    response = client.post(
        reverse("postmortems:action", args=[pm.pk, item.pk]),
        {"title": item.title, "kind": "prevent", "owner": "olu", "due": "2026-04-01",
         "link": "https://tracker.example.com/OPS-1", "status": "done"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert 'id="actions"' in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.link, item.due_at.date().isoformat()) == (
        "done",
        "https://tracker.example.com/OPS-1",
        "2026-04-01",
    )
    bad = client.post(
        reverse("postmortems:action_add", args=[pm.pk]),
        {"title": "", "kind": "prevent"},
        HTTP_HX_REQUEST="true",
    )
    assert "alert-error" in bad.content.decode()
    assert pm.actions.count() == 1


def test_submit_and_publish_through_the_pages(client, pm, people):
    agent, manager = people["agent"], people["manager"]
    Postmortem.objects.filter(pk=pm.pk).update(root_cause="An unbounded queue.")
    client.force_login(agent)
    client.post(reverse("postmortems:submit", args=[pm.pk]), {"reviewer": "mia"})
    client.post(reverse("postmortems:publish", args=[pm.pk]))  # not the reviewer: refused
    pm.refresh_from_db()
    assert (pm.state, pm.reviewer) == ("in_review", manager)
    client.force_login(manager)
    client.post(reverse("postmortems:publish", args=[pm.pk]))
    pm.refresh_from_db()
    assert pm.state == "published"


def test_export_is_a_markdown_download_and_print_is_a_plain_page(client, pm, people):
    client.force_login(people["manager"])
    export = client.get(reverse("postmortems:export", args=[pm.pk]))
    assert export["Content-Type"] == "text/markdown; charset=utf-8"
    assert export["Content-Disposition"] == (
        f'attachment; filename="postmortem-{pm.ticket.key}.md"'
    )
    assert export.content.decode().startswith(f"# Postmortem: {pm.ticket.key}")
    printed = client.get(reverse("postmortems:print", args=[pm.pk])).content.decode()
    assert "postmortems_print.css" in printed
    assert 'class="topbar"' not in printed


def test_list_filters_by_state_and_overdue(client, pm, people):
    other = make_ticket(actor=people["agent"], severity=2, title="Exports slow")
    other = resolve(other, people["agent"], at=RESOLVED_AT)
    fresh = services.postmortem_open_draft(ticket_id=other.pk, now=RESOLVED_AT)
    Postmortem.objects.filter(pk=fresh.pk).update(draft_due_at=T0 + timedelta(days=3650))
    client.force_login(people["agent"])
    overdue = client.get(reverse("postmortems:list"), {"overdue": "1"}).content.decode()
    assert pm.ticket.key in overdue
    assert other.key not in overdue
    published = client.get(reverse("postmortems:list"), {"state": "published"}).content.decode()
    assert "No postmortems here." in published


def test_ticket_panel_links_the_postmortem(client, pm, people):
    client.force_login(people["agent"])
    html = client.get(reverse("postmortems:ticket_panel", args=[pm.ticket.key])).content.decode()
    assert reverse("postmortems:detail", args=[pm.pk]) in html


def test_dashboard_panel_counts_completion_and_overdue_actions(client, pm, people):
    services.action_add(
        postmortem=pm, title="Old", kind="process", actor=people["agent"], now=RESOLVED_AT,
        due_at=RESOLVED_AT + timedelta(days=1),
    )  # fmt: skip
    manager = make_agent(username="boss", role=Role.MANAGER)
    client.force_login(manager)
    url = reverse("postmortems:dashboard")
    html = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"}).content.decode()
    assert 'class="chart-data"' in html
    assert "<dt>Action items overdue</dt><dd>1</dd>" in html
    assert "<dt>Required ones published</dt><dd>0.0 %</dd>" in html
    rows = client.get(url, {"format": "csv"}).content.decode().splitlines()
    assert rows[0] == "Postmortems,Total,Published,In review,Draft,Completion"
    assert rows[1] == "Required,1,0,0,1,0.0 %"
    assert rows[-1] == "Action items overdue now,1,,,,"
    assert client.get(url, {"severity": "9"}).status_code == 400
    later = client.get(url, {"start": "2030-01-01", "format": "csv"}).content.decode()
    assert later.splitlines()[1] == "Required,0,0,0,0,–"


def test_summary_is_sent_to_customers_once_from_the_page(client, pm, people, incident):
    ticket, _ = incident
    Postmortem.objects.filter(pk=pm.pk).update(
        state="published", customer_summary="The checkout outage is fixed."
    )
    client.force_login(people["manager"])
    client.post(reverse("postmortems:send_summary", args=[pm.pk]))
    client.post(reverse("postmortems:send_summary", args=[pm.pk]))
    assert ticket.comments.filter(body="The checkout outage is fixed.").count() == 1
    # A public reply through the ticket service: on the timeline, after the earlier update.
    assert ticket.events.filter(kind="reply").count() == 2


def test_the_list_reads_a_bounded_number_of_queries(
    client, pm, people, django_assert_max_num_queries
):
    for n in range(5):
        ticket = make_ticket(actor=people["agent"], severity=2, title=f"Exports slow {n}")
        ticket = resolve(ticket, people["agent"], at=RESOLVED_AT)
        services.postmortem_open_draft(ticket_id=ticket.pk, now=RESOLVED_AT)
    client.force_login(people["agent"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("postmortems:list"))
    assert response.content.decode().count('class="pill pm-state pm-state-draft"') == 6


def test_overdue_action_items_are_listed_by_team(client, pm, people):
    from tests.factories import TeamFactory

    team = TeamFactory(name="Identity")
    Ticket.objects.filter(pk=pm.ticket_id).update(team=team)
    for title, days in (("Late item", -1), ("Future item", 5)):
        services.action_add(
            postmortem=pm, title=title, kind="detect", actor=people["agent"],
            now=RESOLVED_AT, due_at=clock.now() + timedelta(days=days),
        )  # fmt: skip
    client.force_login(people["agent"])
    html = client.get(reverse("postmortems:overdue_actions")).content.decode()
    assert "<h2>Identity" in html
    assert "Late item" in html
    assert "Future item" not in html
