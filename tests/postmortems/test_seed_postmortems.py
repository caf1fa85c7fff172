"""The demo: a published postmortem of SUP-456 with an overdue action item, and ratings."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from helpdesk import clock
from postmortems.models import Postmortem
from tests.factories import make_ticket
from tickets import services as ticket_services
from tickets.management.commands._demo_people import people as demo_people
from tickets.management.commands._demo_sup456 import sup_456
from tickets.models import SatisfactionSurvey

pytestmark = pytest.mark.django_db


def test_seed_postmortems_publishes_the_demo_p1_and_rates_resolved_tickets():
    # The demo P1 alone (the whole seed_demo takes minutes): SUP-456 as seed_demo writes it.
    cast = demo_people()
    sup_456(cast, now=clock.now())
    agent = cast.staff["agent"]
    for n in range(10):
        ticket = make_ticket(
            actor=agent, organization=cast.acme, requester=cast.customer, title=f"Question {n}"
        )
        ticket_services.ticket_transition(ticket=ticket, to="resolved", actor=agent)
    call_command("seed_postmortems", "--if-empty", verbosity=0)
    pm = Postmortem.objects.get(ticket__number=456)
    assert pm.state == "published"
    assert pm.root_cause.startswith("The SAML validator")
    overdue = pm.actions.filter(status="open", due_at__lt=clock.now())
    assert list(overdue.values_list("title", flat=True)) == [
        "Alert on the SSO error rate per tenant"
    ]
    kinds = set(pm.entries.values_list("kind", flat=True))
    assert {"created", "workaround", "customer_update", "resolved"} <= kinds
    surveys = SatisfactionSurvey.objects.all()
    assert surveys.filter(ticket__number=456, rating__isnull=True).count() == 1
    assert surveys.count() == 11
    assert 1 <= surveys.filter(rating__isnull=False).count() <= 10
    # --if-empty: a second run loads nothing.
    count = surveys.count()
    call_command("seed_postmortems", "--if-empty", verbosity=0)
    assert (Postmortem.objects.count(), SatisfactionSurvey.objects.count()) == (1, count)
