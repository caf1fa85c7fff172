from __future__ import annotations

import pytest

from tests.dashboard import scenario


@pytest.fixture
def history(db, agent, customer_a, org_a):
    return scenario.build(agent=agent, customer=customer_a, organization=org_a)
