"""The SLA configuration page: which policy applies to which severity, tier and channel."""

from __future__ import annotations

from functools import wraps

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from helpdesk.access import agent_side_required
from helpdesk.models import Role
from tickets.choices import Channel, Severity, Tier
from tickets.models import BusinessCalendar, SlaPolicy
from tickets.sla.clocks import active_policies, match_policy


def manager_required(view):
    @agent_side_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role not in (Role.MANAGER, Role.ADMIN):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@manager_required
def sla_overview(request):
    policies = active_policies()
    matrix = [
        {
            "severity": severity,
            "tier": tier,
            "cells": [
                match_policy(
                    policies, severity=severity.value, tier=tier.value, channel=channel.value
                )
                for channel in Channel
            ],
        }
        for severity in Severity
        for tier in Tier
    ]
    ctx = {
        "nav": "sla",
        "policies": SlaPolicy.objects.select_related("calendar").order_by("position", "id"),
        "calendars": BusinessCalendar.objects.prefetch_related("periods", "holidays"),
        "channels": list(Channel),
        "matrix": matrix,
    }
    return render(request, "tickets/sla_overview.html", ctx)
