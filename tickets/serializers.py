"""API serializers: they parse input and shape output; every write goes through tickets.services.

Output serializers read only what the selectors already joined (no query per row). Input
serializers resolve references (usernames, slugs, ticket keys) within what the caller may see.
"""

from __future__ import annotations

import re

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from helpdesk.api_serializers import FastReadMixin
from helpdesk.models import Role, User

from .choices import OPEN_STATUSES, BusinessImpact, Category, Severity, Status
from .limits import MAX_COMMENT_CHARS, TICKET_TEXT_LIMITS
from .models import Attachment, Comment, Contact, Organization, Team, Ticket, TicketEvent
from .queue import SORT_LABELS
from .security import SECURITY_FLAG_HELP
from .selectors import agents, organizations_visible_to, ticket_number_from_key, tickets_visible_to
from .services import CUSTOMER_FIELDS, EDITABLE_FIELDS

AGENT_ONLY_MESSAGE = "Only the support team can set this field."
# A tag as a client may send it: the services store it lower case with spaces as hyphens
# (services.normalize_tags), so the input form also allows capitals and inner spaces.
_TAG_INPUT = r"[A-Za-z0-9][A-Za-z0-9 _.:-]{0,49}"
TAG_INPUT_PATTERN = f"^{_TAG_INPUT}$"  # as the schema states it (ECMA regex)


def _user(context: dict) -> User:
    return context["request"].user


def _is_agent(context: dict) -> bool:
    return _user(context).is_agent_side


# ---------------------------------------------------------------------------------------------
# References


class UserRefSerializer(FastReadMixin, serializers.Serializer):
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class OrganizationRefSerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "tier"]
        read_only_fields = fields


class TeamRefSerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["slug", "name"]
        read_only_fields = fields


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "enum": Severity.values},
            {"type": "string", "enum": [f"P{v}" for v in Severity.values]},
        ],
        "description": "1-4 or P1-P4 (1 is Critical).",
    }
)
class SeverityField(serializers.Field):
    """Accepts 1-4 or P1-P4; always answers the integer."""

    default_error_messages = {
        "invalid_choice": "“{input}” is not a severity: use 1-4 or P1-P4.",
    }

    def to_internal_value(self, data):
        text = str(data).strip().upper().removeprefix("P")
        if isinstance(data, bool) or not text.isdigit() or int(text) not in Severity.values:
            self.fail("invalid_choice", input=data)
        return int(text)

    def to_representation(self, value):
        return int(value)


@extend_schema_field({"type": "string", "example": "SUP-1000", "nullable": True})
class TicketKeyField(serializers.Field):
    """A ticket named by its key, resolved among the tickets the caller can see."""

    default_error_messages = {"not_found": "No ticket “{value}”."}

    def to_internal_value(self, data):
        number = ticket_number_from_key(str(data))
        ticket = None
        if number is not None:
            ticket = tickets_visible_to(_user(self.context)).filter(number=number).first()
        if ticket is None:
            self.fail("not_found", value=data)
        return ticket

    def to_representation(self, value):
        return value.key


class FlatListField(serializers.ListField):
    """A list whose item errors read as plain messages, not as a dict keyed by position."""

    def run_child_validation(self, data):
        values, errors = [], []
        for item in data:
            try:
                values.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors.extend(exc.detail if isinstance(exc.detail, list) else [exc.detail])
        if errors:
            raise serializers.ValidationError(errors)
        return values


@extend_schema_field({"type": "string", "pattern": TAG_INPUT_PATTERN, "maxLength": 50})
class TagField(serializers.CharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        # fullmatch: `$` in a Python pattern would also accept a trailing newline.
        if not re.fullmatch(_TAG_INPUT, value):
            raise serializers.ValidationError(
                f"“{value}” is not a valid tag: use letters, digits, - _ . : (at most 50)."
            )
        return value


class CursorField(serializers.CharField):
    """An opaque position in a list, from a `next` / `previous` link; empty means the start."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("help_text", "From a `next`/`previous` link.")
        super().__init__(**kwargs)
        # Whatever it holds, a cursor that was not made here is one answer: invalid_cursor.
        self.validators = []


class VisibleOrganizationField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self):
        return organizations_visible_to(_user(self.context))


def _slug_ref(queryset, slug_field: str, missing: str, **kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field=slug_field,
        queryset=queryset,
        error_messages={"does_not_exist": missing},
        **kwargs,
    )


# ---------------------------------------------------------------------------------------------
# Tickets

TICKET_LIST_RELATED = ("organization", "assignee", "team", "requester")
# Agent-only fields: customers get null / [] so the JSON keeps one shape for everyone.
AGENT_ONLY_OUTPUT = {"team": None, "tags": [], "parent": None, "duplicate_of": None}


class TicketSerializer(FastReadMixin, serializers.ModelSerializer):
    """One shape for list and detail. Needs organization, requester, assignee and team joined;
    parent/duplicate_of keys come from `parent_number` / `duplicate_of_number` annotations when
    present, otherwise from the joined rows."""

    key = serializers.CharField(read_only=True)
    severity = serializers.IntegerField(
        read_only=True, help_text="1 Critical, 2 High, 3 Medium, 4 Low (P1-P4)."
    )
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    organization = OrganizationRefSerializer(read_only=True)
    requester = UserRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    team = TeamRefSerializer(read_only=True, allow_null=True, help_text="Null for customers.")
    tags = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Empty for customers."
    )
    # Blank until someone assesses it: the empty string is one of the answers.
    business_impact = serializers.ChoiceField(
        choices=BusinessImpact.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until assessed.",
    )
    parent = serializers.SerializerMethodField(help_text="Key of the incident; null for customers.")
    duplicate_of = serializers.SerializerMethodField(help_text="Null for customers.")
    merged_into = serializers.SerializerMethodField(
        help_text="Key of the ticket this one was merged into (it is then closed, and the "
        "conversation goes on there); null otherwise. Clients follow it."
    )
    follow_up_of = serializers.SerializerMethodField(
        help_text="Key of the closed ticket this one follows up; null otherwise."
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "key",
            "number",
            "title",
            "description",
            "status",
            "severity",
            "severity_label",
            "issue_type",
            "category",
            "environment",
            "channel",
            "organization",
            "requester",
            "assignee",
            "team",
            # customer impact
            "affected_users",
            "business_impact",
            "workaround_available",
            "workaround",
            # technical context
            "product_version",
            "browser",
            "platform",
            "account_type",
            "error_message",
            "request_id",
            "affected_endpoint",
            "recent_changes",
            "tags",
            "is_security",
            "parent",
            "duplicate_of",
            "merged_into",
            "follow_up_of",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True, "example": "SUP-1000"})
    def get_parent(self, obj: Ticket) -> str | None:
        return obj.parent_key

    @extend_schema_field({"type": "string", "nullable": True, "example": "SUP-1000"})
    def get_duplicate_of(self, obj: Ticket) -> str | None:
        return obj.duplicate_of_key

    @extend_schema_field({"type": "string", "nullable": True, "example": "SUP-1000"})
    def get_merged_into(self, obj: Ticket) -> str | None:
        return obj.merged_into_key

    @extend_schema_field({"type": "string", "nullable": True, "example": "SUP-1000"})
    def get_follow_up_of(self, obj: Ticket) -> str | None:
        return obj.follow_up_of_key

    def get_url(self, obj: Ticket) -> str:
        # Built once per serializer, not once per row: a list page has 50 of them.
        if not hasattr(self, "_url_template"):
            self._url_template = self.context["request"].build_absolute_uri(
                reverse("api-ticket-detail", args=["KEY"])
            )
        return self._url_template.replace("KEY", obj.key)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not _is_agent(self.context):
            data.update(AGENT_ONLY_OUTPUT)
        return data


class TicketWriteSerializer(serializers.ModelSerializer):
    """Fields of a ticket as a client sends them. Validation only; the view calls the service."""

    severity = SeverityField(required=False)
    assignee = _slug_ref(
        agents(),
        "username",
        "No active agent “{value}”.",
        required=False,
        allow_null=True,
        help_text="Username of an active agent; null unassigns.",
    )
    team = _slug_ref(
        Team.objects.all(),
        "slug",
        "No team “{value}”.",
        required=False,
        allow_null=True,
        help_text="Team slug; null clears it.",
    )
    parent = TicketKeyField(
        required=False, allow_null=True, help_text="Key of the incident this ticket belongs to."
    )
    duplicate_of = TicketKeyField(required=False, allow_null=True, help_text="Key of a ticket.")
    tags = FlatListField(
        child=TagField(),
        required=False,
        max_length=20,
        help_text="Letters, digits, - _ . : and spaces (stored lower case, spaces as -).",
    )
    is_security = serializers.BooleanField(
        required=False,
        help_text=SECURITY_FLAG_HELP,
    )

    class Meta:
        model = Ticket
        fields = sorted(EDITABLE_FIELDS)
        extra_kwargs = {name: {"max_length": limit} for name, limit in TICKET_TEXT_LIMITS.items()}

    def validate(self, attrs):
        if not _is_agent(self.context):
            refused = (set(self.initial_data) & set(self.fields)) - CUSTOMER_FIELDS
            if refused:
                raise serializers.ValidationError({name: [AGENT_ONLY_MESSAGE] for name in refused})
        return attrs


class TicketCreateSerializer(TicketWriteSerializer):
    organization = VisibleOrganizationField(
        required=False,
        help_text="Slug. Required for agents; customers open tickets for their own organization.",
        error_messages={"does_not_exist": "No organization “{value}”."},
    )
    requester = _slug_ref(
        User.objects.filter(role=Role.CUSTOMER, contact__isnull=False),
        "username",
        "No contact “{value}”.",
        required=False,
        allow_null=True,
        help_text="Username of a contact of the organization (agents only).",
    )

    class Meta(TicketWriteSerializer.Meta):
        fields = ["organization", "requester", *sorted(EDITABLE_FIELDS)]
        extra_kwargs = {**TicketWriteSerializer.Meta.extra_kwargs, "title": {"required": True}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if _is_agent(self.context) and "organization" not in attrs:
            raise serializers.ValidationError({"organization": ["This field is required."]})
        return attrs


class TicketUpdateSerializer(TicketWriteSerializer):
    def validate(self, attrs):
        refused = {}
        if "status" in self.initial_data:
            refused["status"] = ["Change the status with POST …/transition/."]
        for name in ("organization", "requester", "number", "key"):
            if name in self.initial_data:
                refused[name] = ["This field cannot be changed."]
        if refused:
            raise serializers.ValidationError(refused)
        return super().validate(attrs)


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_COMMENT_CHARS,
        help_text="A public reply sent with the move, before it. Required to wait on the "
        "customer (the question they are to answer).",
    )


class TicketListQuerySerializer(serializers.Serializer):
    """Query parameters of the ticket list. Lists accept repeated parameters or commas."""

    status = FlatListField(
        child=serializers.ChoiceField(choices=["open", *Status.values]),
        required=False,
        help_text=f"`open` means {', '.join(OPEN_STATUSES)}. Default: every status.",
    )
    severity = FlatListField(child=SeverityField(), required=False, help_text="1-4 or P1-P4.")
    team = serializers.CharField(required=False, allow_blank=True, help_text="Team slug (agents).")
    assignee = serializers.CharField(
        required=False, allow_blank=True, help_text="`me`, `none`, or a username."
    )
    organization = serializers.CharField(required=False, allow_blank=True, help_text="Slug.")
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    tag = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="Agents."
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Full-text search of title and description (web search syntax: "
        '"exact phrase", -exclude, or).',
    )
    sort = serializers.ChoiceField(
        choices=list(SORT_LABELS),
        default="-updated_at",
        help_text="`severity` lists P1 first, most recently updated first within a severity.",
    )
    cursor = CursorField()
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)

    def _split(self, values: list) -> list[str]:
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            data = {
                key: self._split(data.getlist(key)) if key in ("status", "severity") else data[key]
                for key in data
            }
        return super().to_internal_value(data)

    def validate(self, attrs):
        if not _is_agent(self.context):
            refused = {
                f: ["Only agents can filter on this."] for f in ("team", "tag") if attrs.get(f)
            }
            if refused:
                raise serializers.ValidationError(refused)
        return attrs


# ---------------------------------------------------------------------------------------------
# Comments, attachments, events


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = UserRefSerializer(read_only=True, allow_null=True)
    comment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "is_internal",
            "uploaded_by",
            "comment",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: Attachment) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("attachment_download", args=[obj.pk])
        )


class AttachmentCreateSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    is_internal = serializers.BooleanField(default=False, help_text="Agents only.")


class CommentSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "is_internal", "created_at", "attachments"]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj: Comment) -> list:
        rows = obj.attachments.all()  # prefetched
        if not _is_agent(self.context):
            rows = [a for a in rows if not a.is_internal]
        return AttachmentSerializer(rows, many=True, context=self.context).data


class CommentCreateSerializer(serializers.Serializer):
    """A reply as JSON. Files travel only in a multipart request (CommentUploadSerializer)."""

    body = serializers.CharField(
        max_length=MAX_COMMENT_CHARS,
        help_text=f"Markdown, at most {MAX_COMMENT_CHARS:,} characters; attach long logs as files.",
    )
    is_internal = serializers.BooleanField(
        default=False, help_text="An internal note (agents only; customers get 403)."
    )

    def validate(self, attrs):
        if "files" in self.initial_data:
            raise serializers.ValidationError(
                {"files": ["Files are sent in a multipart/form-data request."]}
            )
        return attrs


class CommentUploadSerializer(CommentCreateSerializer):
    """A reply with files, as multipart/form-data."""

    files = FlatListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
        help_text="Repeat the part once per file.",
    )

    def validate(self, attrs):
        return attrs


class EventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    comment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "field",
            "before",
            "after",
            "actor",
            "comment",
            "is_internal",
            "created_at",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------------------------------------
# Organizations and contacts


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "tier", "domain", "created_at"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "username",
            "display_name",
            "email",
            "is_active",
            "organization",
            "job_title",
            "phone",
        ]
        read_only_fields = fields


class ContactListQuerySerializer(serializers.Serializer):
    organization = serializers.CharField(required=False, allow_blank=True, help_text="Slug.")
    cursor = CursorField()
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)


class PageQuerySerializer(serializers.Serializer):
    cursor = CursorField()
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)


# ---------------------------------------------------------------------------------------------
# Schema-only shapes


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable: clients match on it.")
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def _paginated(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    name = serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}ListSerializer",
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
            "__doc__": "One page; follow `next` until it is null. There is no total count.",
        },
    )


PaginatedTicketList = _paginated(TicketSerializer)
PaginatedCommentList = _paginated(CommentSerializer)
PaginatedAttachmentList = _paginated(AttachmentSerializer)
PaginatedEventList = _paginated(EventSerializer)
PaginatedOrganizationList = _paginated(OrganizationSerializer)
PaginatedContactList = _paginated(ContactSerializer)
