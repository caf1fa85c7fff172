"""Engineering escalations and on-call schedules in the REST API (/api/v1/): the ticket API's
selectors, services and error shape. Customers get 404 on every route."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from escalation.engineering import selectors, services
from escalation.engineering.prefill import bug_report_from
from escalation.models import EngineeringEscalation, EscalationState, Schedule
from escalation.oncall import next_shift, oncall_at
from helpdesk import clock
from helpdesk.models import User
from tickets.api import ERRORS, KEY_PARAM, endpoint
from tickets.selectors import ticket_get_for_user
from tickets.serializers import ErrorSerializer


class EscalationSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.key", read_only=True)
    sent_by = serializers.CharField(source="sent_by.username", default=None, read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = EngineeringEscalation
        fields = [
            "id",
            "ticket",
            "state",
            *services.REPORT_FIELDS,
            "sent_by",
            "sent_at",
            "decided_by",
            "decided_at",
            "committed_date",
            "decision_note",
        ]
        read_only_fields = [
            "id",
            "state",
            "sent_at",
            "decided_at",
            "committed_date",
            "decision_note",
        ]
        extra_kwargs = {f: {"required": False} for f in services.REPORT_FIELDS}


class EscalationListSerializer(serializers.Serializer):
    results = EscalationSerializer(many=True)


class AcceptSerializer(serializers.Serializer):
    committed_date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ListQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=EscalationState.choices, required=False)


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class ScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    time_zone = serializers.CharField()
    on_call_now = PersonSerializer(many=True, help_text="Empty: a gap in coverage.")
    next_handoff_at = serializers.DateTimeField(allow_null=True)
    next_on_call = PersonSerializer(allow_null=True)


class ScheduleListSerializer(serializers.Serializer):
    results = ScheduleSerializer(many=True)


def _agent(request: Request) -> User:
    if not request.user.is_agent_side:
        raise Http404
    return request.user


CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Already escalated (`already_escalated`) or decided."
)


def _errors(*codes: int) -> dict:
    known = {**ERRORS, 409: CONFLICT}
    return {code: known[code] for code in (401, 414, 429, *codes)}


ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH)


@extend_schema(
    operation_id="engineering_escalations_list",
    summary="Engineering escalations",
    description="Newest first, at most 100, of the tickets you may see.",
    parameters=[ListQuerySerializer],
    responses={200: EscalationListSerializer, **_errors(400, 404)},
    tags=["engineering escalations"],
)
@endpoint("GET")
def escalation_list(request: Request) -> Response:
    user = _agent(request)
    query = ListQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    state = request.query_params.get("state")
    if state is not None and state not in EscalationState.values:
        # A form's empty value reads as "not given" to DRF; here it is a state that is not one.
        raise serializers.ValidationError({"state": [f"“{state}” is not a state."]})
    qs = selectors.escalations_visible_to(user)
    if state:
        qs = qs.filter(state=state)
    return Response({"results": EscalationSerializer(qs[:100], many=True).data})


@extend_schema(
    operation_id="engineering_escalations_detail",
    summary="One engineering escalation",
    parameters=[ID_PARAM],
    responses={200: EscalationSerializer, **_errors(404)},
    tags=["engineering escalations"],
)
@endpoint("GET")
def escalation_detail(request: Request, pk: int) -> Response:
    escalation = selectors.escalation_get_for_user(_agent(request), pk)
    return Response(EscalationSerializer(escalation).data)


@extend_schema(
    operation_id="tickets_escalate_to_engineering",
    summary="Escalate a ticket to engineering",
    description="Fields left out are prefilled from the ticket. P1/P2 need only title, "
    "severity, affected customers and business impact; P3/P4 also reproduction steps, expected "
    "and actual behaviour and version (400 `investigation_required`). A report already "
    "waiting answers 409 `already_escalated`.",
    parameters=[KEY_PARAM],
    request=EscalationSerializer,
    responses={201: EscalationSerializer, **_errors(400, 403, 404, 409)},
    tags=["engineering escalations"],
)
@endpoint("POST")
def ticket_escalate(request: Request, key: str) -> Response:
    user = _agent(request)
    ticket = ticket_get_for_user(user, key)
    given = EscalationSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    report = {**bug_report_from(ticket), **given.validated_data}
    escalation = services.engineering_escalate(
        ticket=ticket, actor=user, report=report, now=clock.now()
    )
    return Response(
        EscalationSerializer(selectors.escalation_get_for_user(user, escalation.pk)).data,
        status=status.HTTP_201_CREATED,
    )


@extend_schema(
    operation_id="engineering_escalations_accept",
    summary="Accept an escalation with a committed date",
    description="Engineers and managers only (403). Fulfils the ticket's resolution target "
    "(root cause identified with a timeline); the customer is not told. A date in the past "
    "answers 400 `date_in_past`; a decided escalation 409 `already_decided`.",
    parameters=[ID_PARAM],
    request=AcceptSerializer,
    responses={200: EscalationSerializer, **_errors(400, 403, 404, 409)},
    tags=["engineering escalations"],
)
@endpoint("POST")
def escalation_accept(request: Request, pk: int) -> Response:
    user = _agent(request)
    escalation = selectors.escalation_get_for_user(user, pk)
    body = AcceptSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    services.engineering_accept(
        escalation=escalation,
        actor=user,
        committed_date=body.validated_data["committed_date"],
        note=body.validated_data.get("note", ""),
        now=clock.now(),
    )
    return Response(EscalationSerializer(selectors.escalation_get_for_user(user, pk)).data)


@extend_schema(
    operation_id="engineering_escalations_reject",
    summary="Reject an escalation with a reason",
    parameters=[ID_PARAM],
    request=RejectSerializer,
    responses={200: EscalationSerializer, **_errors(400, 403, 404, 409)},
    tags=["engineering escalations"],
)
@endpoint("POST")
def escalation_reject(request: Request, pk: int) -> Response:
    user = _agent(request)
    escalation = selectors.escalation_get_for_user(user, pk)
    body = RejectSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    services.engineering_reject(
        escalation=escalation, actor=user, reason=body.validated_data["reason"], now=clock.now()
    )
    return Response(EscalationSerializer(selectors.escalation_get_for_user(user, pk)).data)


def _schedule_row(schedule: Schedule, now) -> dict:
    upcoming = next_shift(schedule, now)
    return {
        "id": schedule.pk,
        "name": schedule.name,
        "time_zone": schedule.time_zone,
        "on_call_now": oncall_at(schedule, now),
        "next_handoff_at": upcoming.starts_at if upcoming else None,
        "next_on_call": upcoming.user if upcoming else None,
    }


@extend_schema(
    operation_id="schedules_list",
    summary="Who is on call now, per schedule",
    responses={200: ScheduleListSerializer, **_errors(404)},
    tags=["schedules"],
)
@endpoint("GET")
def schedule_list(request: Request) -> Response:
    _agent(request)
    now = clock.now()
    rows = [_schedule_row(s, now) for s in Schedule.objects.order_by("name", "pk")[:100]]
    return Response({"results": ScheduleSerializer(rows, many=True).data})


@extend_schema(
    operation_id="schedules_detail",
    summary="Who is on call now on one schedule",
    parameters=[ID_PARAM],
    responses={200: ScheduleSerializer, **_errors(404)},
    tags=["schedules"],
)
@endpoint("GET")
def schedule_detail(request: Request, pk: int) -> Response:
    _agent(request)
    schedule = Schedule.objects.filter(pk=pk).first()
    if schedule is None:
        raise Http404
    return Response(ScheduleSerializer(_schedule_row(schedule, clock.now())).data)
