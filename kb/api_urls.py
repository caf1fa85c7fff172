"""/api/v1/: articles and known issues (views in kb/api.py)."""

from django.urls import path

from kb import api

urlpatterns = [
    path("articles/", api.articles, name="api-article-list"),
    path("articles/<slug:slug>/", api.article_detail, name="api-article-detail"),
    path("known-issues/", api.known_issues, name="api-known-issue-list"),
    path("known-issues/<str:external_id>/", api.known_issue_detail, name="api-known-issue-detail"),
]
