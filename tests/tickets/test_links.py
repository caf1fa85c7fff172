"""Ticket links: a parent incident with its children, a duplicate and its original."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.errors import DomainError
from tests.factories import OrganizationFactory, make_agent, make_ticket
from tickets import services
from tickets.choices import EventKind, Status
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def link(ticket: Ticket, actor, **changes) -> Ticket:
    return services.ticket_update(ticket=ticket, actor=actor, changes=changes)


def link_events(ticket: Ticket) -> int:
    return TicketEvent.objects.filter(ticket=ticket, kind=EventKind.LINK).count()


# ------------------------------------------------------------------------------ the rules


def test_a_three_ticket_parent_cycle_is_refused(agent, org_a):
    x, y, z = (make_ticket(actor=agent, organization=org_a, title=t) for t in "XYZ")
    link(x, agent, parent=y)
    link(y, agent, parent=z)

    with pytest.raises(DomainError) as refused:
        link(z, agent, parent=x)

    assert refused.value.field == "parent"
    assert refused.value.message == (
        f"{x.key} cannot be the parent of {z.key}: {x.key} is already under {z.key} "
        f"({x.key} → {y.key} → {z.key}), so the links would go round in a circle."
    )
    z.refresh_from_db()
    assert z.parent_id is None
    assert link_events(z) == 0


def test_a_long_parent_chain_is_still_accepted_when_it_does_not_loop(agent, org_a):
    tickets = [make_ticket(actor=agent, organization=org_a, title=f"T{i}") for i in range(6)]
    for child, parent in zip(tickets, tickets[1:], strict=False):
        link(child, agent, parent=parent)
    outsider = make_ticket(actor=agent, organization=org_a, title="Outsider")

    link(tickets[-1], agent, parent=outsider)

    assert Ticket.objects.get(pk=tickets[-1].pk).parent_id == outsider.pk


def test_a_duplicate_of_a_duplicate_is_refused_with_the_original_named(agent, org_a):
    original = make_ticket(actor=agent, organization=org_a, title="Original")
    first = make_ticket(actor=agent, organization=org_a, title="First copy")
    second = make_ticket(actor=agent, organization=org_a, title="Second copy")
    link(first, agent, duplicate_of=original)

    with pytest.raises(DomainError) as refused:
        link(second, agent, duplicate_of=first)

    assert refused.value.field == "duplicate_of"
    assert refused.value.message == (
        f"{first.key} is itself a duplicate of {original.key}: "
        f"mark {second.key} as a duplicate of {original.key}."
    )
    assert Ticket.objects.get(pk=second.pk).duplicate_of_id is None


def test_a_three_ticket_duplicate_cycle_is_refused(agent, org_a):
    x, y, z = (make_ticket(actor=agent, organization=org_a, title=t) for t in "XYZ")
    link(y, agent, duplicate_of=z)
    # A chain written before duplicates of duplicates were refused still never closes.
    Ticket.objects.filter(pk=x.pk).update(duplicate_of=y)

    with pytest.raises(DomainError) as refused:
        link(z, agent, duplicate_of=x)

    assert "round in a circle" in refused.value.message
    assert Ticket.objects.get(pk=z.pk).duplicate_of_id is None


def test_a_duplicate_of_another_organizations_ticket_is_refused(agent, org_a, org_b):
    ours = make_ticket(actor=agent, organization=org_a, title="Login fails")
    theirs = make_ticket(actor=agent, organization=org_b, title="Login fails too")

    with pytest.raises(DomainError) as refused:
        link(ours, agent, duplicate_of=theirs)

    assert refused.value.field == "duplicate_of"
    assert refused.value.message == (
        f"{theirs.key} belongs to Globex and {ours.key} to Acme Corp: a duplicate is the same "
        "customer reporting one problem twice. For one problem hitting several customers, "
        "link both to a parent incident."
    )
    assert Ticket.objects.get(pk=ours.pk).duplicate_of_id is None
    assert link_events(ours) == 0


def test_a_parent_incident_may_span_organizations(agent, org_a, org_b):
    incident = make_ticket(
        actor=agent, organization=org_a, title="API outage", issue_type="incident"
    )
    report = make_ticket(actor=agent, organization=org_b, title="Everything returns 503")

    link(report, agent, parent=incident)

    assert Ticket.objects.get(pk=report.pk).parent_id == incident.pk


def test_a_refused_link_is_shown_in_the_links_section_with_the_typed_key_kept(client, agent, org_a):
    x, y, z = (make_ticket(actor=agent, organization=org_a, title=t) for t in "XYZ")
    link(x, agent, parent=y)
    link(y, agent, parent=z)
    client.force_login(agent)

    response = client.post(reverse("ticket_link", args=[z.key]), {"parent": x.key.lower()}, **HX)

    panel = links_panel(response.content.decode())
    assert "so the links would go round in a circle" in panel
    assert f'name="parent" id="f-parent" value="{x.key.lower()}"' in panel
    assert 'aria-invalid="true"' in panel
    assert Ticket.objects.get(pk=z.pk).parent_id is None


def test_linking_from_the_links_section_records_it_on_the_timeline(client, agent, org_a):
    incident = make_ticket(actor=agent, organization=org_a, title="API outage")
    report = make_ticket(actor=agent, organization=org_a, title="503s")
    client.force_login(agent)

    response = client.post(
        reverse("ticket_link", args=[report.key]), {"parent": incident.key}, **HX
    )

    html = response.content.decode()
    assert Ticket.objects.get(pk=report.pk).parent_id == incident.pk
    assert f'Part of incident <a href="{reverse("ticket_detail", args=[incident.key])}"' in html
    assert '<ol id="timeline" class="timeline" hx-swap-oob="true"' in html
    assert f"set parent to {incident.key}" in html


def test_an_emptied_box_removes_the_link(client, agent, org_a):
    original = make_ticket(actor=agent, organization=org_a, title="Login fails")
    copy = make_ticket(actor=agent, organization=org_a, title="Cannot sign in")
    link(copy, agent, duplicate_of=original)
    client.force_login(agent)

    response = client.post(reverse("ticket_link", args=[copy.key]), {"duplicate_of": ""})

    assert response.status_code == 302
    assert Ticket.objects.get(pk=copy.pk).duplicate_of_id is None


def test_a_key_the_agent_cannot_see_is_refused_without_saying_more(client, agent, org_a):
    report = make_ticket(actor=agent, organization=org_a, title="503s")
    secret = make_ticket(actor=make_agent(), organization=org_a, is_security=True)
    colleague = make_agent()
    client.force_login(colleague)

    response = client.post(reverse("ticket_link", args=[report.key]), {"parent": secret.key}, **HX)

    assert f"No ticket {secret.key} that you can see." in response.content.decode()
    assert Ticket.objects.get(pk=report.pk).parent_id is None


# ------------------------------------------------------------------------------ both sides shown


def links_panel(html: str) -> str:
    start = html.index('id="links-panel"')
    return html[start : html.index("</section>", start)]


def test_the_parent_lists_its_children_with_their_status(client, agent, org_a, org_b):
    incident = make_ticket(actor=agent, organization=org_a, title="API outage")
    first = make_ticket(actor=agent, organization=org_a, title="503 on payments")
    second = make_ticket(actor=agent, organization=org_b, title="Timeouts everywhere")
    link(first, agent, parent=incident)
    link(second, agent, parent=incident)
    services.ticket_transition(ticket=second, to=Status.INVESTIGATING, actor=agent)
    client.force_login(agent)

    panel = links_panel(client.get(reverse("ticket_detail", args=[incident.key])).content.decode())

    assert "Tickets in this incident (2)" in panel
    assert f'href="{reverse("ticket_detail", args=[first.key])}"' in panel
    assert "503 on payments" in panel
    assert "Timeouts everywhere" in panel
    assert "Globex" in panel  # the customer of each report, since an incident spans several
    assert '<span class="pill status-new">New</span>' in panel
    assert '<span class="pill status-investigating">Investigating</span>' in panel

    child_panel = links_panel(
        client.get(reverse("ticket_detail", args=[first.key])).content.decode()
    )
    assert f'Part of incident <a href="{reverse("ticket_detail", args=[incident.key])}"' in (
        child_panel
    )


def test_the_original_lists_its_duplicates(client, agent, org_a):
    original = make_ticket(actor=agent, organization=org_a, title="Login fails")
    copy = make_ticket(actor=agent, organization=org_a, title="Cannot sign in")
    link(copy, agent, duplicate_of=original)
    services.ticket_transition(ticket=copy, to=Status.INVESTIGATING, actor=agent)
    client.force_login(agent)

    panel = links_panel(client.get(reverse("ticket_detail", args=[original.key])).content.decode())

    assert "Duplicates of this ticket (1)" in panel
    assert copy.key in panel
    assert "Cannot sign in" in panel
    assert '<span class="pill status-investigating">Investigating</span>' in panel


def test_a_child_the_viewer_may_not_see_is_not_listed(client, agent, org_a):
    incident = make_ticket(actor=agent, organization=org_a, title="API outage")
    secret = make_ticket(actor=agent, organization=org_a, title="Token leak", is_security=True)
    Ticket.objects.filter(pk=secret.pk).update(parent=incident)
    colleague = make_agent()
    client.force_login(colleague)

    panel = links_panel(client.get(reverse("ticket_detail", args=[incident.key])).content.decode())

    assert secret.key not in panel
    assert "Token leak" not in panel


def test_the_links_panel_reads_a_bounded_number_of_rows(
    client, agent, org_a, django_assert_max_num_queries
):
    incident = make_ticket(actor=agent, organization=org_a, title="API outage")
    child = make_ticket(actor=agent, organization=org_a, title="Report 0")
    link(child, agent, parent=incident)
    client.force_login(agent)
    url = reverse("ticket_detail", args=[incident.key])
    client.get(url)  # pickers cached from here on
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    others = OrganizationFactory()
    for i in range(1, 40):
        report = make_ticket(actor=agent, organization=others, title=f"Report {i}")
        link(report, agent, parent=incident)
    with django_assert_max_num_queries(40) as many:
        html = client.get(url).content.decode()

    assert len(many.captured_queries) == len(few.captured_queries)
    panel = links_panel(html)
    assert "Tickets in this incident (40)" in panel
    assert panel.count('class="linked-ticket"') == 25
    assert "and 15 more" in panel
