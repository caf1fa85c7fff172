"""Role gates shared by every interface. Object-level scope lives in each app's selectors.

Security clearance is open to other apps: besides the security team and admins, an app may
name who else sees every security ticket at a given instant (escalation names the on-call of the
security rota) by registering a source in its `ready()`. The ticket access policy consults every
source, so the core never imports the app that fills it (DESIGN.md sections 2 and 9).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404
from rest_framework.permissions import BasePermission

from helpdesk.models import Role


def agent_side_required(view):
    """Agents, engineers, managers, admins. Customers get 404: the page does not exist for them."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_agent_side:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def customer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.CUSTOMER:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class IsAgentSide(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_agent_side)


# A source of clearance: given an instant, a queryset of one column, the ids of the users it
# clears then. Read as a subquery, so the policy decides in one query for one user or many.
ClearanceSource = Callable[[datetime], QuerySet]

_security_clearances: dict[str, ClearanceSource] = {}


def register_security_clearance(name: str, holders: ClearanceSource) -> None:
    """Clear the users `holders(now)` names to see every security ticket at `now`."""
    _security_clearances[name] = holders


def security_clearance_holders(now: datetime) -> list[QuerySet]:
    """One subquery of user ids per registered source, for the instant `now`."""
    return [holders(now) for holders in _security_clearances.values()]
