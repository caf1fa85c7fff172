"""Customer satisfaction: asked once per resolution by a single-use link, answered without
logging in or from the portal, shown to agents, counted on the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from helpdesk import clock
from helpdesk.models import OutboundMessage
from tests.factories import make_contact, make_ticket
from tickets import satisfaction
from tickets import services as ticket_services
from tickets.models import SatisfactionSurvey

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def resolved(agent, customer_a, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Exports")
    ticket = ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=agent)
    survey, raw = satisfaction.survey_open(ticket_id=ticket.pk, now=clock.now())
    return ticket, survey, raw


def _link(raw: str) -> str:
    return reverse("satisfaction_rate", args=[raw])


def test_resolving_asks_the_requester_once_by_email_with_a_single_use_link(
    agent, customer_a, org_a, django_capture_on_commit_callbacks
):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Slow")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=agent)
    survey = SatisfactionSurvey.objects.get(ticket=ticket)
    assert survey.customer == customer_a
    email = OutboundMessage.objects.get(dedup_key=f"satisfaction:{survey.pk}:email")
    assert email.recipient == customer_a.email
    raw = re.search(r"/satisfaction/rate/([\w-]+)/", email.body).group(1)
    assert satisfaction.survey_by_token(raw) == survey
    assert raw not in survey.token_hash  # only the hash is kept
    # The same resolution is never asked twice.
    assert satisfaction.survey_open(ticket_id=ticket.pk, now=T0) is None
    assert SatisfactionSurvey.objects.filter(ticket=ticket).count() == 1


def test_the_link_works_without_login_and_only_once(client, resolved):
    ticket, survey, raw = resolved
    page = client.get(_link(raw))
    assert page.status_code == 200
    assert b"How did we do?" in page.content
    assert SatisfactionSurvey.objects.get(pk=survey.pk).rating is None  # GET records nothing
    answer = client.post(_link(raw), {"rating": "4", "comment": "Quick and clear."})
    assert b"Thank you!" in answer.content
    survey.refresh_from_db()
    assert (survey.rating, survey.comment, survey.rated_via) == (4, "Quick and clear.", "email")
    again = client.post(_link(raw), {"rating": "1", "comment": "changed my mind"})
    assert b"we have your rating" in again.content
    assert b"4 / 5" in again.content
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick and clear.")


def test_an_expired_link_records_nothing(client, resolved):
    _, survey, raw = resolved
    with time_machine.travel(clock.now() + timedelta(days=15)):
        response = client.post(_link(raw), {"rating": "5"})
    assert b"expired" in response.content
    survey.refresh_from_db()
    assert survey.rating is None


@pytest.mark.parametrize("tamper", [lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),
                                    lambda raw: raw + "x", lambda raw: "x" * 200])  # fmt: skip
def test_a_tampered_link_is_unknown(client, resolved, tamper):
    _, survey, raw = resolved
    response = client.post(_link(tamper(raw)), {"rating": "5"})
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    survey.refresh_from_db()
    assert survey.rating is None


def test_a_bad_rating_is_refused_and_the_comment_kept(client, resolved):
    _, survey, raw = resolved
    response = client.post(_link(raw), {"rating": "9", "comment": "Keep me"})
    assert b"Choose a rating from 1 to 5." in response.content
    assert b"Keep me" in response.content
    survey.refresh_from_db()
    assert survey.rating is None


def test_reopen_then_resolve_asks_again_and_the_old_link_expires(agent, resolved):
    ticket, first, raw = resolved
    ticket = ticket_services.ticket_transition(ticket=ticket, to="investigating", actor=agent)
    ticket = ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=agent)
    later = clock.now()
    second, _ = satisfaction.survey_open(ticket_id=ticket.pk, now=later)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.expires_at == later
    assert SatisfactionSurvey.objects.filter(ticket=ticket).count() == 2


def test_no_survey_without_a_customer_requester(agent, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, title="Internal")
    ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=agent)
    assert satisfaction.survey_open(ticket_id=ticket.pk, now=T0) is None


def test_the_portal_rates_for_the_customer_and_only_them(client, resolved, customer_a, org_a):
    ticket, survey, _ = resolved
    colleague = make_contact(org_a, username="colleague")
    client.force_login(colleague)
    response = client.post(reverse("satisfaction_portal_rate", args=[ticket.key]), {"rating": "2"})
    assert b"Thank you for your rating" in response.content  # the customer's organisation
    survey.refresh_from_db()
    assert (survey.rating, survey.rated_via) == (2, "portal")


def test_another_organisations_customer_gets_404(client, resolved, customer_b):
    ticket, survey, _ = resolved
    client.force_login(customer_b)
    url = reverse("satisfaction_portal_rate", args=[ticket.key])
    assert client.post(url, {"rating": "1"}).status_code == 404
    assert client.get(reverse("satisfaction_portal_panel", args=[ticket.key])).status_code == 404
    survey.refresh_from_db()
    assert survey.rating is None


def test_agents_see_the_rating_on_the_ticket_and_customers_cannot_reach_it(
    client, resolved, agent, customer_a
):
    ticket, survey, _ = resolved
    satisfaction.survey_rate(survey=survey, rating=5, comment="Great", via="email", now=T0)
    client.force_login(agent)
    panel = client.get(reverse("satisfaction_ticket_panel", args=[ticket.key]))
    assert b"5/5" in panel.content
    assert b"Very satisfied" in panel.content
    client.force_login(customer_a)
    assert client.get(reverse("satisfaction_ticket_panel", args=[ticket.key])).status_code == 404


def test_csat_panel_average_trend_and_csv(client, resolved, manager, agent, customer_a, org_a):
    ticket, survey, _ = resolved
    satisfaction.survey_rate(survey=survey, rating=5, via="email", now=T0)
    other = make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Two")
    ticket_services.ticket_transition(ticket=other, to="resolved", actor=agent)
    second, _ = satisfaction.survey_open(ticket_id=other.pk, now=T0 + timedelta(days=7))
    satisfaction.survey_rate(survey=second, rating=2, via="email", now=T0 + timedelta(days=7))
    client.force_login(manager)
    url = reverse("csat_dashboard")
    html = client.get(url, {"start": "2026-03-09", "end": "2026-03-22"}).content.decode()
    assert "<dd>3.50 / 5</dd>" in html
    assert 'class="chart-data"' in html
    assert '"labels": ["2026-03-09", "2026-03-16"]' in html
    assert '"values": [5.0, 2.0]' in html
    csv = client.get(url, {"start": "2026-03-09", "end": "2026-03-22", "format": "csv"})
    assert csv.content.decode().splitlines() == [
        "Week starting,Ratings,Average (1-5)",
        "2026-03-09,1,5.0",
        "2026-03-16,1,2.0",
    ]
    only_first_week = client.get(url, {"start": "2026-03-09", "end": "2026-03-15"})
    assert "<dd>5.00 / 5</dd>" in only_first_week.content.decode()
    assert client.get(url, {"start": "last week"}).status_code == 400


def test_a_backdated_resolution_is_not_asked_about(agent, customer_a, org_a):
    ticket = make_ticket(actor=agent, organization=org_a, requester=customer_a, title="Old")
    ticket_services.ticket_transition(
        ticket=ticket, to="resolved", actor=agent, now=clock.now() - timedelta(days=3)
    )
    assert satisfaction.survey_open(ticket_id=ticket.pk, now=clock.now()) is None
    assert not SatisfactionSurvey.objects.exists()
