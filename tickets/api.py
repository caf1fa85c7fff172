"""The ticket API (/api/v1/). Same selectors and services as the pages: every ticket a view touches
comes from `tickets_visible_to` / `ticket_get_for_user`, every write from `tickets.services`.

Decisions a client can rely on:
- Out-of-scope tickets, organizations and contacts answer 404, never 403.
- A customer who may see a ticket but asks for something only agents may do (edit it, add an
  internal note or attachment) gets 403 `permission_denied`, and nothing is written.
- Fields that are the support team's own (team, tags, parent, duplicate_of) read as null / [] for
  customers, so the JSON has one shape for everyone.
- Lists are keyset-paginated (`next` / `previous` links); there is no total count.
"""

from __future__ import annotations

import functools
import json

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api_errors import check_url_length
from helpdesk.api_parsers import BoundedJSONParser
from helpdesk.errors import DomainError
from helpdesk.models import User

from . import queue, services
from . import serializers as s
from .api_pagination import Ordering, paginate
from .choices import Channel
from .limits import TICKET_TEXT_LIMITS
from .models import Attachment, Organization, Ticket
from .selectors import (
    attachments_visible_to,
    comments_visible_to,
    contacts_visible_to,
    events_visible_to,
    organizations_visible_to,
    ticket_get_for_user,
    ticket_number_of,
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes helpdesk.api_auth's token in the schema (registered by being defined)."""

    target_class = "helpdesk.api_auth.HashedTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`manage.py create_api_token USERNAME`).",
        }


JSON = (BoundedJSONParser,)
JSON_OR_MULTIPART = (BoundedJSONParser, MultiPartParser)
MULTIPART = (MultiPartParser,)


def endpoint(*methods: str, parsers: tuple = JSON):
    """An API view. `parsers` are the request bodies it reads (and the schema offers): JSON
    unless it takes files; multipart cannot say null, so it is offered only where files travel."""

    def wrap(view):
        @functools.wraps(view)
        def checked(request: Request, *args, **kwargs) -> Response:
            check_url_length(request)
            return view(request, *args, **kwargs)

        return api_view(list(methods))(parser_classes(list(parsers))(checked))

    return wrap


def _ctx(request: Request) -> dict:
    return {"request": request}


ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input; see `error.fields`."),
    401: OpenApiResponse(s.ErrorSerializer, description="No or invalid credentials."),
    403: OpenApiResponse(s.ErrorSerializer, description="Allowed for agents only."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found, or not visible to you."),
    414: OpenApiResponse(s.ErrorSerializer, description="The URL is too long."),
    429: OpenApiResponse(s.ErrorSerializer, description="Throttled; see Retry-After."),
}


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in (401, 414, 429, *codes)}


PAGE_PARAMS = [s.PageQuerySerializer]
KEY_PARAM = OpenApiParameter("key", str, OpenApiParameter.PATH, description="e.g. SUP-1000")

# ---------------------------------------------------------------------------------------------
# Tickets

BY_TIME = Ordering("created_at", (("created_at", False),), id_descending=False)


def _filtered_tickets(user: User, params: dict) -> QuerySet[Ticket]:
    """The queue's filters; the API lists every status unless asked otherwise."""
    query = queue.QueueQuery.from_cleaned({**params, "cursor": ""}, default_status="all")
    return queue.filtered(user, query)


def _ticket_list(request: Request) -> Response:
    query = s.TicketListQuerySerializer(data=request.query_params, context=_ctx(request))
    query.is_valid(raise_exception=True)
    params = query.validated_data
    qs = (
        _filtered_tickets(request.user, params)
        .select_related(*s.TICKET_LIST_RELATED)
        .annotate(
            parent_number=ticket_number_of("parent"),
            duplicate_of_number=ticket_number_of("duplicate_of"),
            merged_into_number=ticket_number_of("merged_into"),
            follow_up_of_number=ticket_number_of("follow_up_of"),
        )
        .defer("search_vector")
    )
    page = paginate(
        request,
        qs,
        ordering=queue.SORTS[params["sort"]],
        page_size=params["page_size"],
        weigh=_ticket_text,
    )
    return Response(page.body(s.TicketSerializer(page.rows, many=True, context=_ctx(request)).data))


def _ticket_text(ticket: Ticket) -> int:
    return sum(len(getattr(ticket, name)) for name in TICKET_TEXT_LIMITS)


def _own_organization(user: User) -> Organization:
    organization = organizations_visible_to(user).first()
    if organization is None:
        raise PermissionDenied("Your account is not linked to an organization.")
    return organization


def _ticket_create(request: Request) -> Response:
    user = request.user
    serializer = s.TicketCreateSerializer(data=request.data, context=_ctx(request))
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    if user.is_agent_side:
        organization = data.pop("organization")
        requester = data.pop("requester", None)
        data.setdefault("channel", Channel.API)
    else:
        organization, requester = _own_organization(user), user
        data["channel"] = Channel.API
    ticket = services.ticket_create(
        actor=user, organization=organization, requester=requester, title=data.pop("title"), **data
    )
    body = s.TicketSerializer(ticket, context=_ctx(request)).data
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


@extend_schema(
    methods=["GET"],
    operation_id="tickets_list",
    summary="List tickets",
    parameters=[s.TicketListQuerySerializer],
    responses={200: s.PaginatedTicketList, **_errors(400)},
    tags=["tickets"],
)
@extend_schema(
    methods=["POST"],
    operation_id="tickets_create",
    summary="Open a ticket",
    description="Agents give `organization` and may set any editable field. Customers open a "
    "ticket for their own organization with the customer fields only; the channel is `api`.",
    request=s.TicketCreateSerializer,
    responses={201: s.TicketSerializer, **_errors(400)},
    tags=["tickets"],
)
@endpoint("GET", "POST")
def tickets(request: Request) -> Response:
    if request.method == "POST":
        return _ticket_create(request)
    return _ticket_list(request)


@extend_schema(
    methods=["GET"],
    operation_id="tickets_retrieve",
    summary="One ticket",
    parameters=[KEY_PARAM],
    responses={200: s.TicketSerializer, **_errors(404)},
    tags=["tickets"],
)
@extend_schema(
    methods=["PATCH"],
    operation_id="tickets_update",
    summary="Change ticket fields (agents)",
    description="Only the fields given change; each change is recorded on the timeline. The "
    "status changes through the transition endpoint.",
    parameters=[KEY_PARAM],
    request=s.TicketUpdateSerializer,
    responses={200: s.TicketSerializer, **_errors(400, 403, 404)},
    tags=["tickets"],
)
@endpoint("GET", "PATCH")
def ticket_detail(request: Request, key: str) -> Response:
    ticket = ticket_get_for_user(request.user, key)
    if request.method == "PATCH":
        if not request.user.is_agent_side:
            raise PermissionDenied("Only the support team can edit a ticket.")
        serializer = s.TicketUpdateSerializer(
            data=request.data, partial=True, context=_ctx(request)
        )
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_update(
            ticket=ticket, actor=request.user, changes=dict(serializer.validated_data)
        )
    return Response(s.TicketSerializer(ticket, context=_ctx(request)).data)


@extend_schema(
    operation_id="tickets_transition",
    summary="Change the status",
    description="Moves along the lifecycle. Customers may confirm a resolution (resolved → "
    "closed) or reopen it (resolved → investigating). A move the lifecycle forbids answers 400 "
    "`illegal_transition`; one a customer may not make, 400 `transition_not_allowed`. Waiting "
    "on the customer needs a public `message` (400 `message_required` without one).",
    parameters=[KEY_PARAM],
    request=s.TransitionSerializer,
    responses={200: s.TicketSerializer, **_errors(400, 404)},
    tags=["tickets"],
)
@endpoint("POST")
def ticket_transition(request: Request, key: str) -> Response:
    ticket = ticket_get_for_user(request.user, key)
    serializer = s.TransitionSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    ticket = services.ticket_transition(
        ticket=ticket,
        to=serializer.validated_data["status"],
        actor=request.user,
        message=serializer.validated_data.get("message", ""),
    )
    return Response(s.TicketSerializer(ticket, context=_ctx(request)).data)


# ---------------------------------------------------------------------------------------------
# Comments, attachments, events


def _page_size(request: Request) -> int:
    query = s.PageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["page_size"]


def _comments(user: User, ticket: Ticket):
    # The selector decides which comments; here only how their attachments are loaded.
    attachments = Attachment.objects.select_related("uploaded_by").order_by("created_at", "id")
    return (
        comments_visible_to(user, ticket)
        .prefetch_related(None)
        .prefetch_related(Prefetch("attachments", queryset=attachments))
    )


@extend_schema(
    methods=["GET"],
    operation_id="tickets_comments_list",
    summary="Replies and notes",
    description="Oldest first. Customers never see internal notes.",
    parameters=[KEY_PARAM, *PAGE_PARAMS],
    responses={200: s.PaginatedCommentList, **_errors(400, 404)},
    tags=["comments"],
)
@extend_schema(
    methods=["POST"],
    operation_id="tickets_comments_create",
    summary="Reply, or add an internal note",
    description="`is_internal` from a customer answers 403 `permission_denied`. Files may be "
    "attached with a multipart request (`files`, repeated).",
    parameters=[KEY_PARAM],
    request={
        "application/json": s.CommentCreateSerializer,
        "multipart/form-data": s.CommentUploadSerializer,
    },
    responses={201: s.CommentSerializer, **_errors(400, 403, 404)},
    tags=["comments"],
)
@endpoint("GET", "POST", parsers=JSON_OR_MULTIPART)
def ticket_comments(request: Request, key: str) -> Response:
    user = request.user
    ticket = ticket_get_for_user(user, key)
    if request.method == "POST":
        multipart = request.content_type.startswith("multipart/")
        serializer_class = s.CommentUploadSerializer if multipart else s.CommentCreateSerializer
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["is_internal"] and not user.is_agent_side:
            raise PermissionDenied("Only the support team can add internal notes.")
        comment = services.comment_add(
            ticket=ticket,
            author=user,
            body=data["body"],
            is_internal=data["is_internal"],
            files=data.get("files", []),
        )
        comment = _comments(user, ticket).get(pk=comment.pk)
        return Response(
            s.CommentSerializer(comment, context=_ctx(request)).data, status=status.HTTP_201_CREATED
        )
    page = paginate(
        request,
        _comments(user, ticket),
        ordering=BY_TIME,
        page_size=_page_size(request),
        weigh=_comment_text,
    )
    return Response(
        page.body(s.CommentSerializer(page.rows, many=True, context=_ctx(request)).data)
    )


def _comment_text(comment) -> int:
    return len(comment.body) + len(comment.body_html)


def _event_text(event) -> int:
    # Field changes keep both values: a description edit carries two descriptions.
    return sum(len(json.dumps(value)) for value in (event.before, event.after) if value)


@extend_schema(
    methods=["GET"],
    operation_id="tickets_attachments_list",
    summary="Attachments",
    description="Oldest first. Customers never see internal attachments. Download through "
    "`download_url` with the same credentials.",
    parameters=[KEY_PARAM, *PAGE_PARAMS],
    responses={200: s.PaginatedAttachmentList, **_errors(400, 404)},
    tags=["attachments"],
)
@extend_schema(
    methods=["POST"],
    operation_id="tickets_attachments_create",
    summary="Upload an attachment",
    description="Multipart `file`. Too large a file answers 400 `attachment_too_large`; "
    "`is_internal` from a customer answers 403 `permission_denied`.",
    parameters=[KEY_PARAM],
    request={"multipart/form-data": s.AttachmentCreateSerializer},
    responses={201: s.AttachmentSerializer, **_errors(400, 403, 404)},
    tags=["attachments"],
)
@endpoint("GET", "POST", parsers=MULTIPART)
def ticket_attachments(request: Request, key: str) -> Response:
    user = request.user
    ticket = ticket_get_for_user(user, key)
    if request.method == "POST":
        serializer = s.AttachmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["is_internal"] and not user.is_agent_side:
            raise PermissionDenied("Only the support team can add internal attachments.")
        try:
            attachment = services.attachment_add(
                ticket=ticket, uploaded_by=user, file=data["file"], is_internal=data["is_internal"]
            )
        except DomainError as exc:
            if exc.field == "files":  # the service speaks of the page's field; ours is `file`
                exc.field = "file"
            raise
        return Response(
            s.AttachmentSerializer(attachment, context=_ctx(request)).data,
            status=status.HTTP_201_CREATED,
        )
    qs = attachments_visible_to(user, ticket)
    page = paginate(request, qs, ordering=BY_TIME, page_size=_page_size(request))
    return Response(
        page.body(s.AttachmentSerializer(page.rows, many=True, context=_ctx(request)).data)
    )


@extend_schema(
    operation_id="tickets_events_list",
    summary="The timeline",
    description="Oldest first. Customers see only the public events.",
    parameters=[KEY_PARAM, *PAGE_PARAMS],
    responses={200: s.PaginatedEventList, **_errors(400, 404)},
    tags=["tickets"],
)
@endpoint("GET")
def ticket_events(request: Request, key: str) -> Response:
    ticket = ticket_get_for_user(request.user, key)
    qs = events_visible_to(request.user, ticket)
    page = paginate(request, qs, ordering=BY_TIME, page_size=_page_size(request), weigh=_event_text)
    return Response(page.body(s.EventSerializer(page.rows, many=True, context=_ctx(request)).data))


# ---------------------------------------------------------------------------------------------
# Organizations and contacts

BY_NAME = Ordering("name", (("name", False),), id_descending=False)
BY_USERNAME = Ordering("username", (("user__username", False),), id_descending=False)


@extend_schema(
    operation_id="organizations_list",
    summary="Organizations",
    description="Agents see every organization; a customer only their own.",
    parameters=PAGE_PARAMS,
    responses={200: s.PaginatedOrganizationList, **_errors(400)},
    tags=["organizations"],
)
@endpoint("GET")
def organizations(request: Request) -> Response:
    qs = organizations_visible_to(request.user)
    page = paginate(request, qs, ordering=BY_NAME, page_size=_page_size(request))
    return Response(page.body(s.OrganizationSerializer(page.rows, many=True).data))


@extend_schema(
    operation_id="organizations_retrieve",
    summary="One organization",
    responses={200: s.OrganizationSerializer, **_errors(404)},
    tags=["organizations"],
)
@endpoint("GET")
def organization_detail(request: Request, slug: str) -> Response:
    organization = organizations_visible_to(request.user).filter(slug=slug).first()
    if organization is None:
        raise Http404
    return Response(s.OrganizationSerializer(organization).data)


@extend_schema(
    operation_id="contacts_list",
    summary="Customer contacts",
    description="Agents see every contact (filter by `organization`); a customer, the contacts "
    "of their organization.",
    parameters=[s.ContactListQuerySerializer],
    responses={200: s.PaginatedContactList, **_errors(400)},
    tags=["contacts"],
)
@endpoint("GET")
def contacts(request: Request) -> Response:
    query = s.ContactListQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    qs = contacts_visible_to(request.user)
    if organization := query.validated_data.get("organization"):
        qs = qs.filter(organization__slug=organization)
    page = paginate(request, qs, ordering=BY_USERNAME, page_size=query.validated_data["page_size"])
    return Response(page.body(s.ContactSerializer(page.rows, many=True).data))


@extend_schema(
    operation_id="contacts_retrieve",
    summary="One contact",
    responses={200: s.ContactSerializer, **_errors(404)},
    tags=["contacts"],
)
@endpoint("GET")
def contact_detail(request: Request, username: str) -> Response:
    contact = contacts_visible_to(request.user).filter(user__username=username).first()
    if contact is None:
        raise Http404
    return Response(s.ContactSerializer(contact).data)
