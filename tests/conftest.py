from __future__ import annotations

import pytest
from django.core.cache import cache

from helpdesk.models import Role
from tests.factories import PASSWORD, OrganizationFactory, make_agent, make_contact
from tickets.sla import calendars


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # login throttling and presence live in Redis; no test sees another's
    calendars.forget()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def org_a():
    return OrganizationFactory(name="Acme Corp", slug="acme", tier="enterprise")


@pytest.fixture
def org_b():
    return OrganizationFactory(name="Globex", slug="globex", tier="free")


@pytest.fixture
def agent(db):
    return make_agent(username="agent", first_name="Alex", last_name="Agent")


@pytest.fixture
def manager(db):
    return make_agent(username="manager", role=Role.MANAGER, first_name="Morgan", last_name="Manager")


@pytest.fixture
def customer_a(org_a):
    return make_contact(org_a, username="cust_a", first_name="Casey", last_name="Acme")


@pytest.fixture
def customer_b(org_b):
    return make_contact(org_b, username="cust_b", first_name="Blair", last_name="Globex")
