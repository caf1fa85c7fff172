"""/api/v1/ routes of engineering escalations, on-call schedules and alert intake."""

from django.urls import path

from escalation.alerts.api import alert_receive_view
from escalation.engineering import api

urlpatterns = [
    path("engineering-escalations/", api.escalation_list, name="api-escalation-list"),
    path("engineering-escalations/<int:pk>/", api.escalation_detail, name="api-escalation-detail"),
    path(
        "engineering-escalations/<int:pk>/accept/",
        api.escalation_accept,
        name="api-escalation-accept",
    ),
    path(
        "engineering-escalations/<int:pk>/reject/",
        api.escalation_reject,
        name="api-escalation-reject",
    ),
    path(
        "tickets/<str:key>/engineering-escalations/",
        api.ticket_escalate,
        name="api-ticket-escalate",
    ),
    path("schedules/", api.schedule_list, name="api-schedule-list"),
    path("schedules/<int:pk>/", api.schedule_detail, name="api-schedule-detail"),
    # Any text reaches the view, so a source that does not exist answers 401 like a wrong secret.
    path("alerts/<str:source>/", alert_receive_view, name="api-alert-receive"),
]
