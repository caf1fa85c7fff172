"""POST /api/v1/alerts/<source>/: the webhook monitoring systems call.

The source's secret travels as `Authorization: Bearer <secret>` (what Alertmanager, Grafana and
most tools can send) or `X-Alert-Token`. A wrong secret and an unknown source answer the same
401, so the URL reveals nothing. The body is validated before anything is written.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from escalation.alerts import keys
from escalation.alerts.services import alert_receive
from escalation.models import AlertSource, AlertState
from helpdesk import clock
from helpdesk.api_errors import check_url_length
from helpdesk.api_parsers import BoundedJSONParser
from tickets.choices import Severity
from tickets.serializers import ErrorSerializer

_SEVERITY_NAMES = {"critical": 1, "high": 2, "medium": 3, "low": 4, "warning": 3, "info": 4}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "enum": Severity.values},
            {
                "type": "string",
                "enum": [f"P{v}" for v in Severity.values] + list(_SEVERITY_NAMES),
            },
        ],
        "description": "1-4, P1-P4, or the monitoring tool's level name (1 is Critical).",
    }
)
class SeverityField(serializers.Field):
    """1-4, "P1".."P4", or critical / high / medium (or warning) / low (or info)."""

    default_error_messages = {
        "invalid": "Give 1-4, P1-P4, or one of critical, high, medium, low, warning, info."
    }

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int) and 1 <= data <= 4:
            return data
        if isinstance(data, str):
            text = data.strip().lower()
            if text in _SEVERITY_NAMES:
                return _SEVERITY_NAMES[text]
            if len(text) == 2 and text[0] == "p" and text[1] in "1234":
                return int(text[1])
        self.fail("invalid")

    def to_representation(self, value) -> int:
        return value


class AlertSerializer(serializers.Serializer):
    dedup_key = serializers.CharField(max_length=200, help_text="The same key for the same alert.")
    status = serializers.ChoiceField(choices=[AlertState.FIRING, AlertState.RESOLVED])
    summary = serializers.CharField(
        max_length=200, required=False, help_text="Required when firing: the ticket's title."
    )
    severity = SeverityField(required=False)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    details = serializers.DictField(required=False)

    def validate(self, attrs):
        if attrs["status"] == AlertState.FIRING and not attrs.get("summary", "").strip():
            raise serializers.ValidationError({"summary": ["A firing alert needs a summary."]})
        return attrs


class AlertResultSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["opened", "repeated", "cleared", "ignored"])
    alert = serializers.IntegerField(allow_null=True)
    ticket = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)


class AlertSecretChallenge(BaseAuthentication):
    """Authenticates no user (the source's secret is checked by the view, per source); it only
    makes a refused secret answer 401 with a Bearer challenge, as the rest of the API does."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="alerts"'


def _secret(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-Alert-Token", "").strip()


def _source(request: Request, slug: str) -> AlertSource:
    source = AlertSource.objects.filter(slug=slug, is_active=True).first()
    if source is None or not keys.matches(source, _secret(request)):
        raise exceptions.AuthenticationFailed("Unknown alert source or wrong secret.")
    return source


@extend_schema(
    operation_id="alerts_receive",
    summary="Receive a monitoring alert",
    description="A firing alert opens an incident ticket (channel monitoring), or adds to the "
    "one its `dedup_key` already opened; a P1 pages on-call at once, other severities follow the "
    "escalation policies. A resolved alert notes the clearing on the ticket (and resolves it if "
    "the source says so). Authenticate with the source's secret as a bearer token.",
    parameters=[OpenApiParameter("source", str, OpenApiParameter.PATH)],
    request=AlertSerializer,
    responses={
        201: AlertResultSerializer,
        200: AlertResultSerializer,
        400: OpenApiResponse(ErrorSerializer, description="Invalid alert; see `error.fields`."),
        401: OpenApiResponse(ErrorSerializer, description="Unknown source or wrong secret."),
        414: OpenApiResponse(ErrorSerializer, description="The URL is too long."),
    },
    auth=[],
    tags=["alerts"],
)
@api_view(["POST"])
@authentication_classes([AlertSecretChallenge])
@permission_classes([AllowAny])
@throttle_classes([])
@parser_classes([BoundedJSONParser])
def alert_receive_view(request: Request, source: str) -> Response:
    check_url_length(request)
    found = _source(request, source)
    alert = AlertSerializer(data=request.data)
    alert.is_valid(raise_exception=True)
    outcome = alert_receive(source=found, payload=alert.validated_data, now=clock.now())
    body = {
        "action": outcome.action,
        "alert": outcome.alert.pk if outcome.alert else None,
        "ticket": outcome.alert.ticket.key if outcome.alert else None,
        "count": outcome.alert.count if outcome.alert else None,
    }
    code = status.HTTP_201_CREATED if outcome.action == "opened" else status.HTTP_200_OK
    return Response(body, status=code)
