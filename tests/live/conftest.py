from __future__ import annotations

from datetime import time, timedelta

import pytest

from helpdesk.models import WebhookEndpoint
from tests.factories import OrganizationFactory, TeamFactory, make_agent
from tests.live.harness import Processes, SmtpSink, WebhookSink
from tickets.models import BusinessCalendar, CalendarPeriod, SlaPolicy

SECRET = "live-test-secret"


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def webhook():
    sink = WebhookSink(SECRET).start()
    WebhookEndpoint.objects.create(name="Chat", url=sink.url, secret=SECRET)
    yield sink
    sink.stop()


@pytest.fixture
def processes(tmp_path, smtp, request):
    procs = Processes(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        HELPDESK_OUTBOX_SEND_DEADLINE_SECONDS="3",
    )
    yield procs
    procs.stop_all()
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        print(procs.logs())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def fast_policy():
    """A P1 policy measured in seconds, first in order, on the 24/7 calendar."""
    calendar, created = BusinessCalendar.objects.get_or_create(name="Always open", timezone="UTC")
    if created:
        for day in range(7):
            CalendarPeriod.objects.create(
                calendar=calendar, weekday=day, opens=time(0), closes=None
            )
    return SlaPolicy.objects.create(
        name="Live test P1",
        position=0,
        severity=1,
        calendar=calendar,
        first_response=timedelta(seconds=8),
        update_interval=timedelta(seconds=8),
        resolution=timedelta(hours=4),
        warning_percent=50,
    )


@pytest.fixture
def people():
    lead = make_agent(username="lead", email="lead@example.com")
    team = TeamFactory(name="Tier 2 Support", slug="tier-2", lead=lead)
    assignee = make_agent(username="ana", email="ana@example.com", teams=[team])
    return {
        "lead": lead,
        "team": team,
        "assignee": assignee,
        "org": OrganizationFactory(tier="enterprise"),
    }
