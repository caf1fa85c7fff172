"""Reply templates: the playbook's templates installed by migration, filled from the ticket by a
sandboxed template engine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import make_agent, make_contact, make_ticket
from tickets import replies
from tickets.admin import ReplyTemplateForm
from tickets.models import BusinessCalendar, ReplyTemplate, SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(db):
    return make_agent(username="sam", first_name="Sam", last_name="Okafor")


@pytest.fixture
def ticket(org_a, customer_a, sam):
    return make_ticket(
        actor=sam,
        organization=org_a,
        requester=customer_a,
        title="Customer unable to login",
        severity=1,
    )


def body(text: str) -> ReplyTemplate:
    return ReplyTemplate(name="t", slug="t", body=text)


def test_migration_installs_the_playbook_templates_in_order():
    rows = list(ReplyTemplate.objects.values_list("slug", "name", "is_internal", "is_active"))
    assert rows == [
        ("initial-response", "Initial response", False, True),
        ("status-update", "Status update", False, True),
        ("resolution", "Resolution", False, True),
        ("information-request", "Information request", False, True),
        ("close-configuration", "Close as configuration error", False, True),
        ("close-expected-behaviour", "Close as expected behaviour", False, True),
        ("known-issue-workaround", "Known issue with workaround", False, True),
    ]


def test_every_installed_template_compiles():
    for template in ReplyTemplate.objects.all():
        assert replies.check_template_body(template.body) is None, template.slug


def test_context_holds_the_ticket_values_as_plain_strings(ticket, sam):
    context = replies.template_context(ticket=ticket, agent=sam)
    assert context == {
        "customer_name": "Casey Acme",
        "ticket_key": ticket.key,
        "ticket_title": "Customer unable to login",
        "severity": "P1 Critical",
        "status": "New",
        "organization": "Acme Corp",
        "agent_name": "Sam Okafor",
        "next_update": "in 30 minutes",
    }
    assert all(type(value) is str for value in context.values())


def test_customer_name_without_requester_is_the_organization_team(org_a, sam):
    ticket = make_ticket(actor=sam, organization=org_a, severity=3)
    assert replies.template_context(ticket=ticket, agent=sam)["customer_name"] == "Acme Corp team"


@pytest.mark.parametrize(
    ("severity", "expected"),
    [(1, "in 30 minutes"), (2, "in 2 hours"), (3, "in 24 hours"), (4, "when we have news")],
)
def test_next_update_follows_the_severity_cadence(org_a, sam, severity, expected):
    ticket = make_ticket(actor=sam, organization=org_a, severity=severity)
    assert replies.template_context(ticket=ticket, agent=sam)["next_update"] == expected


def test_next_update_follows_the_matching_policy(org_a, sam):
    SlaPolicy.objects.create(
        name="Enterprise P2",
        position=1,
        severity=2,
        tier="enterprise",
        calendar=BusinessCalendar.objects.get(name="24/7"),
        first_response=timedelta(minutes=30),
        update_interval=timedelta(minutes=45),
        resolution=timedelta(hours=6),
    )
    ticket = make_ticket(actor=sam, organization=org_a, severity=2)
    assert replies.template_context(ticket=ticket, agent=sam)["next_update"] == "in 45 minutes"


def test_next_update_falls_back_to_the_playbook_without_a_policy(org_a, sam):
    SlaPolicy.objects.update(is_active=False)
    ticket = make_ticket(actor=sam, organization=org_a, severity=2)
    assert replies.template_context(ticket=ticket, agent=sam)["next_update"] == "in 2 hours"


def test_render_fills_variables(ticket, sam):
    template = body(
        "Hi {{ customer_name }}, {{ ticket_key }} ({{ severity }}) is {{ status }}; "
        "next update {{ next_update }}. {{ agent_name }}, {{ organization }}"
    )
    assert replies.render_reply(template, ticket=ticket, agent=sam) == (
        f"Hi Casey Acme, {ticket.key} (P1 Critical) is New; next update in 30 minutes. "
        "Sam Okafor, Acme Corp"
    )


def test_status_update_template_keeps_the_blanks_for_the_agent(ticket, sam):
    template = ReplyTemplate.objects.get(slug="status-update")
    text = replies.render_reply(template, ticket=ticket, agent=sam)
    assert text.startswith("Hi Casey Acme,\n\nHere is the latest on ")
    assert f"{ticket.key}: Customer unable to login" in text
    assert "**Current status**: NEW" in text
    assert "- [Key finding 1]\n- [Key finding 2]" in text
    assert "**Expected resolution**: [Time estimate]" in text
    assert "**Next update**: in 30 minutes" in text
    assert text.endswith("Best regards,\nSam Okafor\nSupport Engineering Team")
    assert "{{" not in text
    assert "{%" not in text


def test_unknown_variables_render_empty(ticket, sam):
    template = body("Hi {{ nobody }}!{{ ticket.assignee.password }}")
    assert replies.render_reply(template, ticket=ticket, agent=sam) == "Hi !"


def test_values_are_not_html_escaped(org_a, sam):
    requester = make_contact(org_a, first_name="Seán", last_name="O'Brien <b>")
    ticket = make_ticket(
        actor=sam,
        organization=org_a,
        requester=requester,
        title="Errors & timeouts on <POST /users>",
    )
    template = body("{{ customer_name }}: {{ ticket_title }}")
    assert replies.render_reply(template, ticket=ticket, agent=sam) == (
        "Seán O'Brien <b>: Errors & timeouts on <POST /users>"
    )


def test_only_plain_strings_can_be_reached(ticket, sam):
    template = body("[{{ customer_name.upper }}][{{ organization.tickets }}][{{ agent_name.pk }}]")
    assert replies.render_reply(template, ticket=ticket, agent=sam) == "[CASEY ACME][][]"


def test_harmless_tags_and_filters_work(ticket, sam):
    template = body(
        "{% if severity %}{{ severity|lower }}{% endif %}{% comment %}x{% endcomment %}"
        "|{{ missing|default:'n/a' }}|{% firstof missing ticket_key %}"
    )
    assert replies.render_reply(template, ticket=ticket, agent=sam) == (
        f"p1 critical|n/a|{ticket.key}"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}{% static 'x' %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% debug %}",
        "{% url 'home' %}",
        "{% csrf_token %}",
        "{% for a in customer_name %}{% for b in customer_name %}x{% endfor %}{% endfor %}",
        "{% now 'Y' %}",
        "{{ ticket_key.__class__ }}",
        "{{ customer_name|safe }}",
    ],
)
def test_other_tags_are_refused_and_the_body_comes_back_unrendered(ticket, sam, source):
    assert replies.check_template_body(source) is not None
    assert replies.render_reply(body(source), ticket=ticket, agent=sam) == source


def test_admin_form_refuses_a_template_that_would_not_render():
    form = ReplyTemplateForm(
        data={
            "name": "Broken",
            "slug": "broken",
            "body": "Hi {% include 'x' %}",
            "position": 5,
            "is_active": True,
        }
    )
    assert not form.is_valid()
    assert list(form.errors) == ["body"]
    assert form.errors["body"][0].startswith("This template would not render:")
    assert not ReplyTemplate.objects.filter(slug="broken").exists()


def test_admin_form_accepts_variables_and_blanks():
    form = ReplyTemplateForm(
        data={
            "name": "Ack",
            "slug": "ack",
            "body": "Hi {{ customer_name }}, [Key finding 1]",
            "position": 5,
            "is_active": True,
        }
    )
    assert form.is_valid(), form.errors
    form.save()
    assert ReplyTemplate.objects.get(slug="ack").body == "Hi {{ customer_name }}, [Key finding 1]"


@pytest.mark.parametrize(
    "slug", ["close-configuration", "close-expected-behaviour", "known-issue-workaround"]
)
def test_closing_templates_say_to_open_a_new_ticket_never_to_reopen(slug):
    body = ReplyTemplate.objects.get(slug=slug).body
    assert "open a new ticket that mentions {{ ticket_key }}" in " ".join(body.split())
    assert "reopen" not in body
    assert "let us know on" not in body
