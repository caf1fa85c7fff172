"""The demo data command: people, SUP-456 of seed 000, and tickets with coherent timelines."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Min

from helpdesk import clock
from helpdesk.models import Role, User
from tickets import notifications
from tickets.choices import EventKind, Severity, Status
from tickets.models import Comment, Contact, Organization, Team, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

DEMO_LOGINS = ["agent", "engineer", "manager", "admin", "customer"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO(), verbosity=0, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Loaded once for the module, inside a transaction that is rolled back at its end; each
    test runs in a savepoint within it, so what one test writes the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Ticket.objects.exists()
        yield seed(tickets=20, seed=3, if_empty=True)
        transaction.set_rollback(True)


def test_loads_sup_456_and_the_requested_tickets_into_an_empty_database(seeded):
    assert Ticket.objects.count() == 21
    assert "Created SUP-456, the critical SSO ticket." in seeded
    assert "Added 20 demo tickets." in seeded
    for username in DEMO_LOGINS:
        assert f"  {username:<9} demo  " in seeded


def test_sup_456_is_the_ticket_of_seed_000(seeded):
    ticket = Ticket.objects.select_related("organization", "requester", "assignee", "team").get(
        number=456
    )
    assert ticket.key == "SUP-456"
    assert (ticket.title, ticket.issue_type, ticket.severity, ticket.category) == (
        "Customer unable to login",
        "bug",
        Severity.P1,
        "authentication",
    )
    assert (ticket.environment, ticket.channel, ticket.organization.name) == (
        "production",
        "email",
        "Acme Corp",
    )
    assert (ticket.requester.username, ticket.requester.email, ticket.assignee.username) == (
        "customer",
        "support@acme.com",
        "engineer",
    )
    assert ticket.team.name == "Engineering"
    assert (ticket.affected_users, ticket.business_impact, ticket.browser, ticket.platform) == (
        50,
        "revenue_blocking",
        "Chrome 118",
        "Windows 11",
    )
    assert (ticket.account_type, ticket.error_message, ticket.recent_changes) == (
        "SSO enabled",
        "Invalid credentials",
        "Auth service deployed 2 days ago; SSO config updated yesterday",
    )
    assert ticket.tags == ["sso", "login"]
    assert ticket.description.startswith(
        "Multiple users at Acme Corp reporting login failures since yesterday evening. Error "
        'message: "Invalid credentials" even with correct password.'
    )
    assert ticket.status == Status.RESOLVED
    assert ticket.first_response_at - ticket.created_at == timedelta(minutes=13)
    assert ticket.resolved_at - ticket.created_at == timedelta(minutes=118)
    assert clock.now() - timedelta(days=1) < ticket.created_at < clock.now() - timedelta(hours=12)
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == [
        "error.log",
        "network-log.har",
        "screenshot.png",
    ]


def test_sup_456_timeline_follows_the_seed(seeded):
    ticket = Ticket.objects.get(number=456)
    timeline = [
        (e.kind, e.field, e.before, e.after, e.actor.username, e.is_internal)
        for e in TicketEvent.objects.filter(ticket=ticket)
        .exclude(kind=EventKind.SLA)  # the clocks' own bookkeeping, by no one
        .select_related("actor")
        .order_by("created_at", "id")
    ]
    engineer = User.objects.get(username="engineer")
    assert timeline == [
        ("created", "", None, "SUP-456", "customer", False),
        ("attachment", "", None, "screenshot.png", "customer", False),
        ("attachment", "", None, "network-log.har", "customer", False),
        ("attachment", "", None, "error.log", "customer", False),
        ("assigned", "assignee", None, {"id": engineer.pk, "label": "Sam Okafor"}, "agent", True),
        ("team", "team", None, {"id": ticket.team_id, "label": "Engineering"}, "agent", True),
        ("tags", "tags", [], ["sso", "login"], "agent", True),
        ("status", "status", "new", "investigating", "engineer", False),
        ("note", "", None, None, "engineer", True),
        ("reply", "", None, None, "engineer", False),
        ("field", "workaround_available", False, True, "engineer", True),
        ("field", "workaround", "", ticket.workaround, "engineer", True),
        ("status", "status", "investigating", "in_progress", "engineer", False),
        ("reply", "", None, None, "customer", False),
        ("reply", "", None, None, "engineer", False),
        ("note", "", None, None, "engineer", True),
        ("reply", "", None, None, "engineer", False),
        ("reply", "", None, None, "engineer", False),
        ("reply", "", None, None, "engineer", False),
        ("status", "status", "in_progress", "resolved", "engineer", False),
    ]
    comments = list(Comment.objects.filter(ticket=ticket).order_by("created_at"))
    findings, immediate, _thanks, update_1, options, update_2, update_3, resolved = comments
    assert findings.is_internal
    assert options.is_internal
    assert "`SSO token validation failed: Invalid issuer`" in findings.body
    assert "150 occurrences in last 12 hours" in findings.body
    assert immediate.body.startswith("Hi Acme Corp Team,\n\nWe've identified the issue")
    assert "Users can temporarily login using password reset flow" in immediate.body
    assert "**Recommended: Option 2.**" in options.body
    for update in (update_1, update_2, update_3):
        assert "**Current status**: IN PROGRESS" in update.body
        assert "**Next update**: in 30 minutes" in update.body
    gaps = [
        b.created_at - a.created_at
        for a, b in zip(
            [immediate, update_1, update_2, update_3, resolved],
            [update_1, update_2, update_3, resolved],
            strict=False,
        )
    ]
    assert all(gap <= timedelta(minutes=30) for gap in gaps)
    assert "Issue is now **RESOLVED**. All users should be able to login" in resolved.body
    assert "<script" not in resolved.body_html


def test_demo_logins_work_with_password_demo(seeded, client):
    for username in DEMO_LOGINS:
        client.logout()
        response = client.post("/login/", {"username": username, "password": "demo"})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


def test_demo_accounts_have_their_roles_and_teams(seeded):
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_LOGINS).select_related("agent_profile")
    }
    assert {name: u.role for name, u in users.items()} == {
        "agent": Role.AGENT,
        "engineer": Role.ENGINEER,
        "manager": Role.MANAGER,
        "admin": Role.ADMIN,
        "customer": Role.CUSTOMER,
    }
    assert (
        users["agent"].agent_profile.support_tier,
        users["engineer"].agent_profile.support_tier,
    ) == (1, 3)
    assert set(users["agent"].teams.values_list("name", flat=True)) == {"Tier 1 Support"}
    assert set(users["engineer"].teams.values_list("name", flat=True)) == {
        "Engineering",
        "Security",
    }
    assert (users["admin"].is_staff, users["admin"].is_superuser) == (True, True)
    assert not users["manager"].is_superuser
    contact = Contact.objects.select_related("organization").get(user=users["customer"])
    assert (contact.organization.name, contact.organization.tier) == ("Acme Corp", "enterprise")
    assert users["customer"].get_full_name() == "Dana Whitfield"
    # Only the demo logins can log in at all.
    assert User.objects.filter(password__startswith="!").count() == User.objects.count() - 5


def test_teams_agents_and_organizations(seeded):
    teams = {t.name: t for t in Team.objects.select_related("lead")}
    assert set(teams) == {"Tier 1 Support", "Tier 2 Support", "Engineering", "Security"}
    assert [name for name, t in teams.items() if t.is_security] == ["Security"]
    assert all(
        t.lead is not None and t.members.filter(pk=t.lead.pk).exists() for t in teams.values()
    )
    agent_side = User.objects.exclude(role=Role.CUSTOMER)
    assert agent_side.count() == 12
    assert set(agent_side.values_list("agent_profile__support_tier", flat=True)) == {1, 2, 3}
    tiers = Organization.objects.values_list("tier", flat=True)
    assert len(tiers) == 12
    assert set(tiers) == {"enterprise", "business", "free"}
    for org in Organization.objects.all():
        assert 2 <= org.contacts.count() <= 4, org.name


def test_first_line_support_triages_new_tickets(seeded):
    tier_1 = Team.objects.get(is_triage=True)
    assert tier_1.name == "Tier 1 Support"
    # A new ticket nobody owns yet reaches its members and its lead.
    found = notifications.triage()
    assert {u.username for u in [*found.members, found.lead]} == {
        "agent",
        "jamie.chen",
        "sofia.alvarez",
        "marcus.reed",
    }
    # Running the demo again leaves a triage team an admin chose.
    Team.objects.filter(pk=tier_1.pk).update(is_triage=False)
    Team.objects.filter(slug="tier-2-support").update(is_triage=True)
    seed(tickets=1, seed=4)
    assert list(Team.objects.filter(is_triage=True).values_list("slug", flat=True)) == [
        "tier-2-support"
    ]


def test_every_status_and_severity_appears(seeded):
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("severity", flat=True)) == set(Severity.values)


def test_every_timeline_is_coherent(seeded):
    now = clock.now()
    for ticket in Ticket.objects.all():
        # SLA warnings and breaches are the clocks' bookkeeping, and the steps of an on-call page
        # (a P1 or security ticket pages its owners) are about the people paged: both leave
        # updated_at alone.
        by_people = TicketEvent.objects.filter(ticket=ticket).exclude(
            kind__in=[EventKind.SLA, EventKind.PAGE]
        )
        events = list(by_people.order_by("created_at", "id"))
        assert events[0].kind == EventKind.CREATED
        assert events[0].created_at == ticket.created_at
        assert all(ticket.created_at <= e.created_at < now for e in events), ticket.key
        span = by_people.aggregate(Max("created_at"))
        assert ticket.updated_at == span["created_at__max"], ticket.key
        moves = [e for e in events if e.kind == EventKind.STATUS]
        assert ticket.status == (moves[-1].after if moves else Status.NEW), ticket.key
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.before == before.after, ticket.key
        first_reply = Comment.objects.filter(
            ticket=ticket,
            is_internal=False,
            author__role__in=[Role.AGENT, Role.ENGINEER, Role.MANAGER, Role.ADMIN],
        ).aggregate(Min("created_at"))["created_at__min"]
        assert ticket.first_response_at == first_reply, ticket.key
        if ticket.status == Status.RESOLVED:
            assert ticket.resolved_at == moves[-1].created_at, ticket.key
        if ticket.status == Status.CLOSED:
            assert ticket.closed_at == moves[-1].created_at, ticket.key
        if ticket.is_open:
            assert (ticket.resolved_at, ticket.closed_at) == (None, None), ticket.key


def test_if_empty_adds_nothing_the_second_time(seeded):
    counts = (Ticket.objects.count(), User.objects.count(), TicketEvent.objects.count())
    out = seed(tickets=20, if_empty=True)
    assert out == "The database already has tickets: no demo data loaded.\n"
    assert (Ticket.objects.count(), User.objects.count(), TicketEvent.objects.count()) == counts


def test_running_again_adds_tickets_but_reuses_people(seeded):
    people = (User.objects.count(), Organization.objects.count(), Team.objects.count())
    out = seed(tickets=6, seed=3)
    assert Ticket.objects.count() == 27
    assert Ticket.objects.filter(number=456).count() == 1
    assert "Created SUP-456" not in out
    assert "  agent     (existing account: password unchanged)" in out
    assert (User.objects.count(), Organization.objects.count(), Team.objects.count()) == people


def test_the_same_seed_gives_the_same_queue(seeded):
    def shape(tickets):
        return [
            (t.category, t.severity, t.status, t.organization_id, t.requester_id) for t in tickets
        ]

    first = list(Ticket.objects.exclude(number=456).order_by("number")[:6])
    seed(tickets=6, seed=3)
    second = list(Ticket.objects.order_by("-number")[:6])[::-1]
    assert shape(first) == shape(second)


def test_sla_page_shows_the_tier_and_channel_tables_deciding(seeded, client):
    client.force_login(User.objects.get(username="manager"))
    response = client.get("/sla/")
    names = {p.name for p in response.context["policies"]}
    assert {"Enterprise P1 Critical", "Email P2 High", "Chat P2 High"} <= names
    deciding = {cell.name for row in response.context["matrix"] for cell in row["cells"] if cell}
    assert {"Enterprise P2 High", "Email P2 High", "Chat P2 High", "P2 High"} <= deciding
    from tickets.models import SlaTarget

    used = set(SlaTarget.objects.values_list("policy__name", flat=True))
    assert any(name.startswith("Enterprise") for name in used)
    assert any(name.startswith(("Email", "Chat")) for name in used)


def test_the_demo_history_has_real_breaches_and_the_breached_view_lists_some(seeded, client):
    from tickets.models import SlaEvent

    breaches = SlaEvent.objects.filter(kind="breached")
    assert breaches.exists()
    # Recorded when they happened (by the story's engine ticks or late answers), not at load.
    assert breaches.filter(at__lt=clock.now() - timedelta(hours=1)).exists()
    client.force_login(User.objects.get(username="manager"))
    response = client.get("/queue/?sla=breached")
    assert response.context["page"].rows
