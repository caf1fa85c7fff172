"""The demo's paging: policies for P1 and security, and an open page the `engineer` sees."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from escalation.models import EscalationPolicy, Page, PageState
from helpdesk.models import User

pytestmark = pytest.mark.django_db


def test_the_engineer_sees_an_open_page_in_my_pages_at_once(client):
    call_command("seed_demo", tickets=40)
    call_command("seed_oncall", if_empty=True)
    assert sorted(EscalationPolicy.objects.values_list("name", "severity", "security_only")) == [
        ("P1 on-call", 1, False),
        ("Security on-call", None, True),
    ]
    engineer = User.objects.get(username="engineer")
    page = Page.objects.filter(policy__name="P1 on-call").get()
    assert (page.state, page.ticket.severity) == (PageState.TRIGGERED, 1)
    assert page.recipients.get().user == engineer  # the primary on-call this week
    client.force_login(engineer)
    response = client.get(reverse("my_pages"))
    assert page.summary.encode() in response.content
    assert b"Acknowledge" in response.content
