"""Articles and known issues in the REST API (/api/v1/): the kb access policy, the ticket API's
error shape and keyset pagination. Customers read public, published articles only; known issues
are agent-side only (404 for anyone else)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk import markdown as md
from kb import selectors
from kb.models import Article, KnownIssue
from tickets import serializers as ts
from tickets.api import ERRORS, endpoint
from tickets.api_pagination import Ordering, paginate

BY_TITLE = Ordering("title", (("title", False),), id_descending=False)
BY_UPDATED = Ordering("updated_at", (("updated_at", True),), id_descending=True)


class ArticleSerializer(serializers.ModelSerializer):
    body_html = serializers.SerializerMethodField(help_text="The body rendered and sanitised.")

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "kind",
            "category",
            "visibility",
            "status",
            "summary",
            "body",
            "body_html",
            "created_at",
            "updated_at",
            "published_at",
        ]

    def get_body_html(self, obj) -> str:
        return md.render(obj.body)


class KnownIssueSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id")
    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tickets = serializers.SerializerMethodField()

    class Meta:
        model = KnownIssue
        fields = [
            "id",
            "title",
            "component",
            "affected_versions",
            "error_signatures",
            "symptoms",
            "workaround",
            "status",
            "fix_version",
            "article",
            "created_at",
            "updated_at",
            "fixed_at",
            "tickets",
        ]

    def get_tickets(self, obj) -> int:
        return obj.ticket_links.count() if not hasattr(obj, "ticket_count") else obj.ticket_count


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in (401, 414, 429, *codes)}


def _page_size(request: Request) -> int:
    query = ts.PageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["page_size"]


@extend_schema(
    operation_id="articles_list",
    summary="Knowledge-base articles",
    description="Agents see every article and runbook; a customer, public published articles.",
    parameters=[ts.PageQuerySerializer],
    responses={200: ts._paginated(ArticleSerializer), **_errors(400)},
    tags=["knowledge base"],
)
@endpoint("GET")
def articles(request: Request) -> Response:
    qs = selectors.articles_visible_to(request.user)
    page = paginate(request, qs, ordering=BY_TITLE, page_size=_page_size(request))
    return Response(page.body(ArticleSerializer(page.rows, many=True).data))


@extend_schema(
    operation_id="articles_retrieve",
    summary="One article",
    parameters=[OpenApiParameter("slug", str, OpenApiParameter.PATH)],
    responses={200: ArticleSerializer, **_errors(404)},
    tags=["knowledge base"],
)
@endpoint("GET")
def article_detail(request: Request, slug: str) -> Response:
    return Response(ArticleSerializer(selectors.article_get_for_user(request.user, slug)).data)


@extend_schema(
    operation_id="known_issues_list",
    summary="Known issues",
    description="Agents only; a customer gets 404.",
    parameters=[ts.PageQuerySerializer],
    responses={200: ts._paginated(KnownIssueSerializer), **_errors(400, 404)},
    tags=["knowledge base"],
)
@endpoint("GET")
def known_issues(request: Request) -> Response:
    if not request.user.is_agent_side:
        raise Http404
    qs = selectors.known_issues_with_counts(request.user).select_related("article")
    page = paginate(request, qs, ordering=BY_UPDATED, page_size=_page_size(request))
    return Response(page.body(KnownIssueSerializer(page.rows, many=True).data))


@extend_schema(
    operation_id="known_issues_retrieve",
    summary="One known issue",
    parameters=[OpenApiParameter("external_id", str, OpenApiParameter.PATH, description="KI-101")],
    responses={200: KnownIssueSerializer, **_errors(404)},
    tags=["knowledge base"],
)
@endpoint("GET")
def known_issue_detail(request: Request, external_id: str) -> Response:
    issue = selectors.known_issue_get_for_user(request.user, external_id)
    return Response(KnownIssueSerializer(issue).data)
