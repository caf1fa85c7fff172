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
    return


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
    return make_agent(
        username="manager", role=Role.MANAGER, first_name="Morgan", last_name="Manager"
    )


@pytest.fixture
def customer_a(org_a):
    return make_contact(org_a, username="cust_a", first_name="Casey", last_name="Acme")


@pytest.fixture
def customer_b(org_b):
    return make_contact(org_b, username="cust_b", first_name="Blair", last_name="Globex")


def pytest_collection_modifyitems(items):
    """A transactional test flushes the database; without serialized_rollback the rows that
    migrations install (SLA policies, reply templates) would be gone for the tests after it."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use "
                "@pytest.mark.django_db(transaction=True, serialized_rollback=True)"
            )
