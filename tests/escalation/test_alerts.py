"""The alert webhook: authenticated per source, one ticket and one page per burst, clearing,
and bad payloads refused with nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalation.alerts import keys
from escalation.models import Alert, AlertSource, Page
from helpdesk.models import OutboundMessage, Role
from tests.escalation.paging_factories import make_policy
from tests.factories import make_agent
from tickets.models import Comment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer():
    return make_agent(username="eng", role=Role.ENGINEER, first_name="Eve", last_name="Ng")


@pytest.fixture
def source(org_a, engineer):
    make_policy({"users": [engineer], "wait_minutes": 5}, severity=1)
    found = AlertSource(name="Prometheus", slug="prometheus", organization=org_a)
    found.raw = keys.rotate(found)
    found.save()
    return found


def _post(client, source, body, secret=None):
    return client.post(
        reverse("api-alert-receive", args=[source.slug]),
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret or source.raw}"},
    )


FIRING = {
    "dedup_key": "api-5xx-rate",
    "status": "firing",
    "summary": "Error rate > 1% on /api/users",
    "severity": "critical",
    "details": {"rate": "4.2%"},
}


def test_a_burst_of_twenty_identical_alerts_opens_one_ticket_and_pages_once(
    client, source, engineer
):
    answers = [_post(client, source, FIRING) for _ in range(20)]
    assert [a.status_code for a in answers] == [201] + [200] * 19
    assert answers[0].json()["action"] == "opened"
    assert answers[-1].json() == {
        "action": "repeated",
        "alert": answers[0].json()["alert"],
        "ticket": answers[0].json()["ticket"],
        "count": 20,
    }
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.issue_type, ticket.severity) == ("monitoring", "incident", 1)
    assert ticket.title == "Error rate > 1% on /api/users"
    assert "- rate: 4.2%" in ticket.description
    page = Page.objects.get()
    assert page.ticket == ticket
    assert list(page.recipients.values_list("user", flat=True)) == [engineer.pk]
    assert OutboundMessage.objects.filter(channel="email", recipient=engineer.email).count() == 1


def test_clearing_notes_the_ticket_and_resolves_it_when_the_source_says_so(client, source):
    source.resolve_on_clear = True
    source.save()
    key = _post(client, source, {**FIRING, "severity": 3}).json()["ticket"]
    cleared = _post(client, source, {"dedup_key": "api-5xx-rate", "status": "resolved"})
    assert cleared.json()["action"] == "cleared"
    ticket = Ticket.objects.get()
    assert ticket.key == key
    assert ticket.status == "resolved"
    note = Comment.objects.get(ticket=ticket)
    assert note.is_internal
    assert "alert cleared" in note.body
    again = _post(client, source, {"dedup_key": "api-5xx-rate", "status": "resolved"})
    assert again.json()["action"] == "ignored"
    # Firing again after clearing is a new alert and a new ticket.
    assert _post(client, source, FIRING).json()["action"] == "opened"
    assert Ticket.objects.count() == 2


def test_clearing_only_annotates_by_default(client, source):
    _post(client, source, {**FIRING, "severity": "P2"})
    _post(client, source, {"dedup_key": "api-5xx-rate", "status": "resolved"})
    ticket = Ticket.objects.get()
    assert ticket.status == "new"
    assert Comment.objects.filter(ticket=ticket, is_internal=True).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FIRING, "dedup_key": ""}, "dedup_key"),
        ({k: v for k, v in FIRING.items() if k != "dedup_key"}, "dedup_key"),
        ({**FIRING, "status": "burning"}, "status"),
        ({**FIRING, "summary": ""}, "summary"),
        ({**FIRING, "severity": "apocalyptic"}, "severity"),
        ({**FIRING, "severity": 9}, "severity"),
        ({**FIRING, "summary": "x" * 201}, "summary"),
        ({**FIRING, "details": "not an object"}, "details"),
    ],
)
def test_a_bad_payload_is_a_400_naming_the_field_and_writes_nothing(client, source, body, field):
    answer = _post(client, source, body)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert not Ticket.objects.exists()
    assert not Alert.objects.exists()
    assert not TicketEvent.objects.exists()


def test_malformed_json_is_a_400(client, source):
    answer = client.post(
        reverse("api-alert-receive", args=[source.slug]),
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {source.raw}"},
    )
    assert answer.status_code == 400
    assert not Ticket.objects.exists()


def test_a_wrong_secret_or_unknown_source_is_a_401_and_writes_nothing(client, source):
    wrong = _post(client, source, FIRING, secret="guess")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "authentication_failed"
    unknown = client.post(
        reverse("api-alert-receive", args=["nope"]),
        FIRING,
        content_type="application/json",
        headers={"Authorization": f"Bearer {source.raw}"},
    )
    assert unknown.status_code == 401
    source.is_active = False
    source.save()
    assert _post(client, source, FIRING).status_code == 401
    assert not Ticket.objects.exists()


def test_the_secret_is_stored_hashed(source):
    assert source.raw not in source.secret_hash
    assert len(source.secret_hash) == 64
    assert keys.matches(AlertSource.objects.get(), source.raw)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_identical_alerts_at_the_same_moment_open_one_ticket_and_one_page(org_a, engineer):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection
    from django.test import Client

    make_policy({"users": [engineer], "wait_minutes": 5}, severity=1)
    found = AlertSource(name="Prometheus", slug="prometheus", organization=org_a)
    found.raw = keys.rotate(found)
    found.save()
    start = Barrier(20)

    def fire(_):
        try:
            start.wait(timeout=30)
            return _post(Client(), found, FIRING).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = sorted(pool.map(fire, range(20)))
    assert codes == [200] * 19 + [201]
    assert Ticket.objects.count() == 1
    assert Alert.objects.get().count == 20
    assert Page.objects.count() == 1
    assert OutboundMessage.objects.filter(channel="email", recipient=engineer.email).count() == 1
