"""The on-call of the security rota sees security tickets while on call (DESIGN.md section 9).

The rota is a schedule that an active "security only" escalation policy pages at any level; the
clearance lasts as long as the shift, on every path (ticket page, API, attachment, the bell).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from escalation.models import EscalationPolicy, Page
from escalation.paging.tasks import page_start_task
from escalation.services import override_create
from helpdesk.models import ApiToken, Notification, Role, User
from tests.escalation.oncall_factories import make_schedule
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent, make_ticket
from tickets import services
from tickets.models import Ticket
from tickets.selectors import has_security_clearance, tickets_visible_to, users_who_can_see

pytestmark = pytest.mark.django_db

# A Wednesday: Ada holds the weekly rota (handoff Monday 09:00 Oslo) until 2026-03-30 07:00 UTC.
NOW = datetime(2026, 3, 25, 12, tzinfo=UTC)
AFTER_SHIFT = datetime(2026, 3, 30, 8, tzinfo=UTC)


@pytest.fixture(autouse=True)
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ada():
    return make_agent(username="ada", role=Role.ENGINEER, first_name="Ada", last_name="Lind")


@pytest.fixture
def bo():
    return make_agent(username="bo", role=Role.ENGINEER, first_name="Bo", last_name="Berg")


@pytest.fixture
def security_rota(ada, bo):
    # Ada, then Bo, a week each from Monday 2026-03-23.
    schedule = make_schedule(
        members=[ada, bo], now=NOW, name="Security", starts_on=date(2026, 3, 23)
    )
    make_policy({"schedule": schedule}, name="Security on-call", security_only=True)
    return schedule


@pytest.fixture
def paged(security_rota, org_a):
    reporter = make_agent(username="reporter")
    ticket = make_ticket(
        actor=reporter, organization=org_a, title="Token leak in logs", is_security=True
    )
    attachment = services.attachment_add(
        ticket=ticket, uploaded_by=reporter, file=SimpleUploadedFile("leak.log", b"token=...")
    )
    page_start_task(ticket.pk)
    return ticket, attachment


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # clearance is cached on the instance, per request


def _api(user: User) -> Client:
    _, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _statuses(user: User, ticket: Ticket, attachment) -> tuple[int, int, int]:
    return (
        _web(user).get(reverse("ticket_detail", args=[ticket.key])).status_code,
        _api(user).get(f"/api/v1/tickets/{ticket.key}/").status_code,
        _web(user).get(f"/attachments/{attachment.pk}/").status_code,
    )


def test_the_security_oncall_opens_the_paged_ticket_page_api_and_attachment(ada, paged):
    ticket, attachment = paged
    assert Page.objects.get(ticket=ticket).recipients.get().user == ada
    assert _statuses(ada, ticket, attachment) == (200, 200, 200)
    assert ticket.key in [t["key"] for t in _api(ada).get("/api/v1/tickets/").json()["results"]]


def test_after_the_shift_the_ticket_is_gone_again(ada, bo, paged, traveller):
    ticket, attachment = paged
    traveller.move_to(AFTER_SHIFT)
    assert _statuses(ada, ticket, attachment) == (404, 404, 404)
    assert _statuses(bo, ticket, attachment) == (200, 200, 200)  # Bo holds the rota now
    # Ada still finds the page she was sent in My pages, and can answer it from there.
    assert b"Token leak in logs" in _web(ada).get(reverse("my_pages")).content


def test_an_engineer_off_the_security_rota_still_gets_404(bo, paged, org_a):
    ticket, attachment = paged
    p1_oncall = make_agent(username="p1", role=Role.ENGINEER)
    p1_rota = make_schedule(members=[p1_oncall], now=NOW, name="Primary")
    make_policy({"schedule": p1_rota}, name="P1 on-call", severity=1)
    for user in (bo, p1_oncall):  # Bo is on the rota but not on call this week
        assert _statuses(user, ticket, attachment) == (404, 404, 404)
        assert not has_security_clearance(_fresh(user))


def test_an_inactive_security_policy_clears_nobody(ada, paged):
    ticket, attachment = paged
    EscalationPolicy.objects.update(is_active=False)
    assert _statuses(ada, ticket, attachment) == (404, 404, 404)


def test_the_page_notice_stays_in_the_oncalls_bell(ada, paged):
    ticket, _ = paged
    notice = Notification.objects.get(user=ada, ticket_id=ticket.pk)
    bell = _web(ada).get(reverse("notifications")).content.decode()
    assert notice.title in bell
    assert list(
        users_who_can_see(ticket, User.objects.filter(pk__in=[ada.pk])).values_list(
            "username", flat=True
        )
    ) == ["ada"]


def test_the_queue_reads_every_ticket_for_the_oncall_and_is_unchanged_for_others(
    ada, bo, paged, django_assert_num_queries
):
    ticket, _ = paged
    ada = _fresh(ada)
    with django_assert_num_queries(1):  # one query decides the clearance, cached after it
        visible = tickets_visible_to(ada)
        assert has_security_clearance(ada) is True
    assert "WHERE" not in str(visible.query)  # the unfiltered queryset: index-only counts hold
    assert ticket in visible
    bo = _fresh(bo)
    with django_assert_num_queries(1):
        others = tickets_visible_to(bo)
        assert has_security_clearance(bo) is False
    assert str(others.query) == str(
        Ticket.objects.filter(Q(is_security=False) | Q(assignee=bo)).query
    )


def test_an_override_on_the_security_rota_clears_whoever_covers(ada, bo, security_rota, paged):
    ticket, attachment = paged
    override_create(
        schedule=security_rota,
        user=bo,
        covers_for=ada,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=4),
        actor=bo,
        now=NOW,
    )
    assert _statuses(bo, ticket, attachment) == (200, 200, 200)
    assert _statuses(ada, ticket, attachment) == (404, 404, 404)
