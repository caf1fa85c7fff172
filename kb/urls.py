"""Agent pages of the knowledge base (/kb/)."""

from django.urls import path

from kb import dashboard
from kb.views import articles, known_issues, panel

app_name = "kb"
urlpatterns = [
    path("", articles.article_list, name="articles"),
    path("articles/new/", articles.article_new, name="article_new"),
    path("articles/<slug:slug>/", articles.article_detail, name="article"),
    path("articles/<slug:slug>/edit/", articles.article_edit, name="article_edit"),
    path("articles/<slug:slug>/history/", articles.article_history, name="article_history"),
    path("known-issues/", known_issues.known_issue_list, name="known_issues"),
    path("known-issues/new/", known_issues.known_issue_edit, name="known_issue_new"),
    path("known-issues/<str:external_id>/", known_issues.known_issue_detail, name="known_issue"),
    path(
        "known-issues/<str:external_id>/edit/",
        known_issues.known_issue_edit,
        name="known_issue_edit",
    ),
    path(
        "known-issues/<str:external_id>/follow-up/",
        known_issues.known_issue_follow_up,
        name="known_issue_follow_up",
    ),
    path("tickets/<str:key>/panel/", panel.ticket_panel, name="ticket_panel"),
    path("dashboard/known-issues/", dashboard.known_issue_panel, name="dashboard_known_issues"),
    path("tickets/<str:key>/known-issue/", panel.ticket_link, name="ticket_link"),
    path("tickets/<str:key>/article/", articles.article_from_ticket, name="article_from_ticket"),
]
