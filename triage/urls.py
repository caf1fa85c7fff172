from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("tickets/<str:key>/panel/", views.ticket_panel, name="ticket_panel"),
    path("tickets/<str:key>/suggestions/<int:pk>/", views.decide, name="decide"),
    path("tickets/<str:key>/run/", views.rerun, name="rerun"),
    path("tickets/<str:key>/reply-check/", views.reply_check, name="reply_check"),
    path("tickets/<str:key>/incident-update/", views.incident_update, name="incident_update"),
    path("queue-banner/", views.queue_banner, name="queue_banner"),
    path("dashboard/acceptance/", views.dashboard_acceptance, name="dashboard_acceptance"),
]
