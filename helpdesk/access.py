"""Role gates shared by every interface. Object-level scope lives in each app's selectors."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
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
