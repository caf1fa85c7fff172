"""The SLA policy admin: clear refusals, warnings where saving is legitimate, and targets shown
as business time on the policy's calendar."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from helpdesk.models import Role
from tests.factories import make_agent
from tickets.models import BusinessCalendar, CalendarPeriod, SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    root = make_agent(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


@pytest.fixture
def office():
    calendar = BusinessCalendar.objects.create(name="Berlin office", timezone="Europe/Berlin")
    for weekday in range(5):
        CalendarPeriod.objects.create(
            calendar=calendar, weekday=weekday, opens=time(9), closes=time(17)
        )
    return calendar


def form_data(policy: SlaPolicy, **changes) -> dict:
    """What the admin's change form posts for this policy, with `changes` applied."""
    data = {}
    for name, value in {**model_to_dict(policy), **changes}.items():
        if name == "id":
            continue
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "on" if value else ""
        elif isinstance(value, timedelta):
            value = str(int(value.total_seconds()))
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        data[name] = value
    if not data.get("is_active"):
        data.pop("is_active", None)
    return data


def change(admin_client, policy: SlaPolicy, **changes):
    url = reverse("admin:tickets_slapolicy_change", args=[policy.pk])
    return admin_client.post(url, form_data(policy, **changes), follow=True)


def add(admin_client, template: SlaPolicy, **changes):
    return admin_client.post(
        reverse("admin:tickets_slapolicy_add"), form_data(template, **changes), follow=True
    )


def p1() -> SlaPolicy:
    return SlaPolicy.objects.get(severity=1, tier="", channel="", is_active=True)


def test_a_warning_percent_of_150_is_a_clear_field_error(admin_client):
    policy = p1()

    response = change(admin_client, policy, warning_percent=150)

    html = response.content.decode()
    assert "150% is not a share of the target: enter 1 to 99." in html
    assert "Constraint" not in html
    assert "slapolicy_warning_percent_range" not in html
    assert SlaPolicy.objects.get(pk=policy.pk).warning_percent == policy.warning_percent


def test_a_first_response_longer_than_the_resolution_is_refused(admin_client):
    policy = p1()

    response = change(
        admin_client, policy, first_response=timedelta(hours=5), resolution=timedelta(hours=4)
    )

    assert (
        "The first response (5 business hours) is longer than the resolution (4 business hours)"
        in response.content.decode()
    )
    assert SlaPolicy.objects.get(pk=policy.pk).first_response == policy.first_response


def test_a_second_active_policy_with_the_same_position_and_match_is_refused(admin_client):
    policy = p1()

    response = add(admin_client, policy, name="P1 copy")

    html = response.content.decode()
    assert (
        f"“{policy.name}” is also active at position {policy.position} and matches the same "
        "tickets (P1, any tier, any channel): only one of the two could ever apply."
    ) in html
    assert not SlaPolicy.objects.filter(name="P1 copy").exists()


def test_an_inactive_copy_at_the_same_position_is_saved(admin_client):
    policy = p1()

    add(admin_client, policy, name="P1 draft", is_active=False)

    assert SlaPolicy.objects.filter(name="P1 draft", is_active=False).exists()


def test_moving_a_policy_onto_its_twins_position_is_refused():
    # The changelist edits positions in place; its forms validate through the model.
    policy = p1()
    twin = SlaPolicy.objects.create(
        name="P1 later",
        position=policy.position + 1,
        severity=1,
        calendar=policy.calendar,
        first_response=timedelta(minutes=15),
    )
    twin.position = policy.position

    with pytest.raises(ValidationError) as refused:
        twin.full_clean()

    assert "only one of the two could ever apply" in refused.value.message_dict["position"][0]


def test_a_policy_hidden_behind_a_broader_one_is_saved_with_a_warning(admin_client):
    policy = p1()
    SlaPolicy.objects.create(
        name="Everything",
        position=1,
        calendar=policy.calendar,
        resolution=timedelta(hours=8),
    )

    response = add(admin_client, policy, name="P1 email", channel="email", position=500)

    html = response.content.decode()
    assert SlaPolicy.objects.filter(name="P1 email").exists()
    assert (
        "“Everything” (position 1, any severity, any tier, any channel) comes first and "
        "matches every ticket this policy matches, so “P1 email” never applies."
    ) in html


def test_targets_are_shown_as_business_hours_on_the_calendar(admin_client, office):
    policy = p1()
    SlaPolicy.objects.filter(pk=policy.pk).update(
        calendar=office, resolution=timedelta(days=2), first_response=timedelta(hours=4)
    )

    listing = admin_client.get(reverse("admin:tickets_slapolicy_changelist")).content.decode()
    page = admin_client.get(
        reverse("admin:tickets_slapolicy_change", args=[policy.pk])
    ).content.decode()

    assert "48 business hours, about 6 working days on this calendar" in listing
    assert "2d 0h" not in listing
    assert "Resolution: 48 business hours, about 6 working days on this calendar" in page
    assert "First response: 4 business hours" in page
