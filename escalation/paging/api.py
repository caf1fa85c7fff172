"""Pages in the REST API (/api/v1/pages/): the same selectors, services and error shape as the
ticket API. Customers, and anyone who may not see a page, get 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from escalation.models import Page, PageReason
from escalation.paging import selectors, services
from helpdesk import clock
from helpdesk.models import User
from tickets.api import ERRORS, KEY_PARAM, endpoint
from tickets.selectors import ticket_get_for_user
from tickets.serializers import ErrorSerializer


class RecipientSerializer(serializers.Serializer):
    user = serializers.CharField(source="user.username")
    level = serializers.SerializerMethodField()
    round = serializers.SerializerMethodField()
    notified_at = serializers.DateTimeField()

    def get_level(self, obj) -> int:
        return obj.level + 1

    def get_round(self, obj) -> int:
        return obj.round + 1


class PageSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.key")
    level = serializers.SerializerMethodField(help_text="The level paged last, from 1.")
    levels = serializers.SerializerMethodField(help_text="How many levels the page has.")
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", default=None, allow_null=True, read_only=True
    )
    resolved_by = serializers.CharField(
        source="resolved_by.username", default=None, allow_null=True, read_only=True
    )
    notified = RecipientSerializer(source="recipients", many=True)

    class Meta:
        model = Page
        fields = [
            "id",
            "ticket",
            "reason",
            "state",
            "summary",
            "level",
            "levels",
            "started_at",
            "next_step_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_via",
            "resolved_at",
            "resolved_by",
            "notified",
        ]

    def get_level(self, obj) -> int:
        return obj.level + 1

    def get_levels(self, obj) -> int:
        return len(obj.levels)


class ActionResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text="False when it had already been done.")
    page = PageSerializer()


class PageListSerializer(serializers.Serializer):
    results = PageSerializer(many=True)


def _agent(request: Request) -> User:
    if not request.user.is_agent_side:
        raise Http404
    return request.user


def _page(user: User, pk: int) -> Page:
    selectors.page_get_for_user(user, pk)  # the access check: 404 when out of scope
    return (
        Page.objects.select_related("ticket", "acknowledged_by", "resolved_by")
        .prefetch_related("recipients__user")
        .get(pk=pk)
    )


ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)
CONFLICT = OpenApiResponse(ErrorSerializer, description="The ticket already has such a page.")


def _errors(*codes: int) -> dict:
    known = {**ERRORS, 409: CONFLICT}
    return {code: known[code] for code in (401, 414, 429, *codes)}


@extend_schema(
    operation_id="pages_mine",
    summary="My open pages",
    description="Open pages (triggered or acknowledged) that notified you, newest first, "
    "at most 50.",
    responses={200: PageListSerializer, **_errors(404)},
    tags=["pages"],
)
@endpoint("GET")
def my_pages(request: Request) -> Response:
    user = _agent(request)
    pages = selectors.my_open_pages(user).prefetch_related("recipients__user")
    return Response({"results": PageSerializer(pages, many=True).data})


@extend_schema(
    operation_id="pages_detail",
    summary="One page",
    parameters=[ID_PARAM],
    responses={200: PageSerializer, **_errors(404)},
    tags=["pages"],
)
@endpoint("GET")
def page_detail(request: Request, pk: int) -> Response:
    return Response(PageSerializer(_page(_agent(request), pk)).data)


def _act(request: Request, pk: int, service) -> Response:
    user = _agent(request)
    page = _page(user, pk)
    changed = service(page=page, actor=user, via="api", now=clock.now())
    return Response({"changed": changed, "page": PageSerializer(_page(user, pk)).data})


@extend_schema(
    operation_id="pages_acknowledge",
    summary="Acknowledge a page",
    description="Stops the escalation. Acknowledging again answers 200 with `changed: false`.",
    parameters=[ID_PARAM],
    request=None,
    responses={200: ActionResultSerializer, **_errors(403, 404)},
    tags=["pages"],
)
@endpoint("POST")
def page_acknowledge(request: Request, pk: int) -> Response:
    return _act(request, pk, services.page_acknowledge)


@extend_schema(
    operation_id="pages_resolve",
    summary="Resolve a page",
    description="Closes the page (not the ticket). Resolving again answers `changed: false`.",
    parameters=[ID_PARAM],
    request=None,
    responses={200: ActionResultSerializer, **_errors(403, 404)},
    tags=["pages"],
)
@endpoint("POST")
def page_resolve(request: Request, pk: int) -> Response:
    return _act(request, pk, services.page_resolve)


@extend_schema(
    operation_id="tickets_page_oncall",
    summary="Page on-call for a ticket",
    description="Starts a page by hand with the ticket's escalation policy. A ticket with an "
    "open page started by hand answers 409 `already_paged`; a closed ticket 400 `ticket_closed`.",
    parameters=[KEY_PARAM],
    request=None,
    responses={201: PageSerializer, **_errors(400, 404, 409)},
    tags=["pages"],
)
@endpoint("POST")
def ticket_page(request: Request, key: str) -> Response:
    user = _agent(request)
    ticket = ticket_get_for_user(user, key)
    page = services.page_start(ticket=ticket, reason=PageReason.MANUAL, actor=user, now=clock.now())
    return Response(PageSerializer(_page(user, page.pk)).data, status=status.HTTP_201_CREATED)
