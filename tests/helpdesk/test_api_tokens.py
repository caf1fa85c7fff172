from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from helpdesk.models import ApiToken
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

FIXED = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def create_token(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_command_prints_the_token_once_and_stores_only_its_hash(agent):
    raw, note = create_token("agent", "--name", "ci")

    token = ApiToken.objects.get()
    assert raw.startswith("hd_")
    assert len(raw) == 46
    assert (token.user, token.name) == (agent, "ci")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert note == (
        f"Token “ci” (id {token.pk}) for agent. It is shown only this once; send it as "
        "`Authorization: Bearer <token>`."
    )


def test_each_run_issues_a_new_token(agent):
    first, _ = create_token("agent")
    second, _ = create_token("agent")

    assert first != second
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["default", "default"]


def test_command_refuses_unknown_or_deactivated_users(agent):
    agent.is_active = False
    agent.save()

    with pytest.raises(CommandError, match="No user “ghost”."):
        create_token("ghost")
    with pytest.raises(CommandError, match="“agent” is deactivated"):
        create_token("agent")
    assert ApiToken.objects.count() == 0


def test_issued_token_authenticates_and_records_its_use(agent):
    raw, _ = create_token("agent")

    with time_machine.travel(FIXED, tick=False):
        response = bearer(raw).get("/api/v1/organizations/")

    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at == FIXED


def test_use_is_recorded_at_most_once_a_minute(agent):
    raw, _ = create_token("agent")
    client = bearer(raw)

    with time_machine.travel(FIXED, tick=False):
        client.get("/api/v1/organizations/")
    with time_machine.travel(FIXED + timedelta(seconds=30), tick=False):
        client.get("/api/v1/organizations/")
    assert ApiToken.objects.get().last_used_at == FIXED
    with time_machine.travel(FIXED + timedelta(seconds=61), tick=False):
        client.get("/api/v1/organizations/")
    assert ApiToken.objects.get().last_used_at == FIXED + timedelta(seconds=61)


@pytest.mark.parametrize(
    "header",
    ["Bearer hd_not-a-real-token", "Token hd_not-a-real-token", "Bearer", "Bearer a b"],
)
def test_unknown_or_malformed_token_is_401(agent, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/tickets/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "authentication_failed"


def test_revoked_token_is_401(agent):
    raw, _ = create_token("agent")
    ApiToken.objects.update(revoked_at=FIXED)

    response = bearer(raw).get("/api/v1/tickets/")

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "Invalid or revoked token.",
        "fields": {},
    }


def test_token_of_a_deactivated_user_is_401(agent):
    raw, _ = create_token("agent")
    agent.is_active = False
    agent.save()

    assert bearer(raw).get("/api/v1/tickets/").status_code == 401


def test_a_token_acts_as_its_own_user(org_a, customer_a):
    other = make_agent(username="other")
    raw, _ = create_token("cust_a")

    response = bearer(raw).get("/api/v1/organizations/")

    assert [o["slug"] for o in response.json()["results"]] == ["acme"]
    assert other.api_tokens.count() == 0
