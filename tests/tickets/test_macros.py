from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.errors import DomainError
from tests.factories import TeamFactory, make_agent, make_ticket
from tickets import macros, services
from tickets.choices import Status
from tickets.conflicts import StaleChange
from tickets.models import Macro, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def billing():
    return TeamFactory(name="Billing", slug="billing")


@pytest.fixture
def ticket(agent, customer_a, org_a):
    return make_ticket(
        actor=agent,
        organization=org_a,
        requester=customer_a,
        title="Invoice is wrong",
        tags=["vip"],
    )


@pytest.fixture
def macro(billing):
    return Macro.objects.create(
        name="Billing question",
        body="Hi {{ customer_name }}, billing has your invoice question ({{ ticket_key }}).",
        set_status=Status.IN_PROGRESS,
        set_severity=4,
        set_team=billing,
        add_tags=["billing"],
    )


def test_preview_says_what_will_change_on_this_ticket(macro, ticket):
    assert macros.describe(macro, ticket) == (
        "Sets status with the reply: In progress; sets severity: P4 Low; sets team: Billing; "
        "adds tag: billing; writes a reply"
    )


def test_applying_sets_fields_records_the_macro_and_counts_its_use(macro, ticket, agent):
    applied = services.macro_apply(ticket=ticket, macro=macro, actor=agent)

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.severity, ticket.team.slug) == ("new", 4, "billing")
    assert applied.status_with_reply == Status.IN_PROGRESS  # preselected in the composer
    assert ticket.tags == ["vip", "billing"]
    assert applied.reply == (f"Hi Casey Acme, billing has your invoice question ({ticket.key}).")
    event = TicketEvent.objects.get(ticket=ticket, field="macro")
    assert event.actor == agent
    assert event.is_internal
    assert event.after["summary"] == (
        "applied the macro “Billing question”: sets severity: P4 Low; sets team: Billing; "
        "adds tag: billing"
    )
    macro.refresh_from_db()
    assert (macro.use_count, macro.last_used_at) == (1, event.created_at)


def test_a_macro_without_a_reply_moves_the_status_at_once(ticket, agent):
    macro = Macro.objects.create(name="Start", set_status=Status.INVESTIGATING, add_tags=["t2"])

    applied = services.macro_apply(ticket=ticket, macro=macro, actor=agent)

    assert (applied.reply, applied.status_with_reply) == ("", "")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.tags) == (Status.INVESTIGATING, ["vip", "t2"])
    summary = TicketEvent.objects.get(ticket=ticket, field="macro").after["summary"]
    assert summary == "applied the macro “Start”: sets status: Investigating; adds tag: t2"


def test_a_status_the_ticket_cannot_take_refuses_the_macro(ticket, agent):
    services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=agent)
    macro = Macro.objects.create(name="Work", set_status=Status.IN_PROGRESS, set_severity=1)

    with pytest.raises(DomainError):
        services.macro_apply(ticket=ticket, macro=macro, actor=agent)

    assert Ticket.objects.get(pk=ticket.pk).severity == 3


def test_a_field_changed_since_the_preview_refuses_the_whole_macro(macro, ticket, agent):
    other = make_agent()
    services.ticket_update(ticket=ticket, actor=other, changes={"severity": 2})

    with pytest.raises(StaleChange):
        services.macro_apply(ticket=ticket, macro=macro, actor=agent, expected={"severity": 3})

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.severity, ticket.team_id) == ("new", 2, None)
    assert not TicketEvent.objects.filter(ticket=ticket, field="macro").exists()
    assert Macro.objects.get(pk=macro.pk).use_count == 0


def test_personal_macros_are_their_owners_only(client, agent, ticket):
    other = make_agent()
    mine = Macro.objects.create(name="Mine", owner=agent, body="x")
    theirs = Macro.objects.create(name="Theirs", owner=other, body="y")

    assert list(macros.macros_for(agent)) == [mine]
    client.force_login(agent)
    url = reverse("ticket_macro_apply", args=[ticket.key])
    assert client.post(url, {"macro": theirs.pk}, **HX).status_code == 404
    preview = reverse("ticket_macro_preview", args=[ticket.key])
    assert client.get(preview, {"macro": theirs.pk}).status_code == 404
    assert Macro.objects.get(pk=theirs.pk).use_count == 0


def test_customer_cannot_reach_macros(client, customer_a, macro, ticket):
    client.force_login(customer_a)
    url = reverse("ticket_macro_apply", args=[ticket.key])
    response = client.post(url, {"macro": macro.pk})
    assert response.status_code in (403, 404)
    assert Ticket.objects.get(pk=ticket.pk).team_id is None


def test_apply_view_fills_the_composer_and_guards_with_the_preview(client, agent, macro, ticket):
    client.force_login(agent)
    preview = client.get(
        reverse("ticket_macro_preview", args=[ticket.key]), {"macro": macro.pk}, **HX
    ).content.decode()
    assert "Sets status with the reply: In progress; sets severity: P4 Low" in preview
    assert 'name="seen_severity" value="3"' in preview

    response = client.post(
        reverse("ticket_macro_apply", args=[ticket.key]),
        {
            "macro": macro.pk,
            "seen_status": "new",
            "seen_severity": "3",
            "seen_team": "",
            "seen_assignee": "",
            "seen_tags": "vip",
        },
        **HX,
    )

    html = response.content.decode()
    assert "Applied “Billing question”" in html
    assert '<option value="in_progress" selected>and set in progress</option>' in html
    assert "billing has your invoice question" in html  # the composer, filled
    assert Ticket.objects.get(pk=ticket.pk).team.slug == "billing"


def test_seed_macros_fills_an_empty_table_once(db):
    from django.core.management import call_command

    call_command("seed_macros", "--if-empty")
    names = set(Macro.objects.values_list("name", flat=True))
    call_command("seed_macros", "--if-empty")
    assert Macro.objects.count() == len(names) >= 3
    for macro in Macro.objects.all():
        assert macro.owner_id is None


def test_managers_see_every_macro_by_use_agents_their_own(client, agent, manager, macro, ticket):
    other = make_agent(first_name="Robin", last_name="Other")
    Macro.objects.create(name="Robin's own", owner=other, body="x")
    services.macro_apply(ticket=ticket, macro=macro, actor=agent)

    client.force_login(manager)
    html = client.get(reverse("macro_usage")).content.decode()
    assert html.index("Billing question") < html.index("Robin&#x27;s own")
    assert '<td class="num">1</td>' in html
    client.force_login(agent)
    html = client.get(reverse("macro_usage")).content.decode()
    assert "Billing question" in html
    assert "Robin" not in html
